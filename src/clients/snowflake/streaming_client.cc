// Docs followed:
// https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api
// (hostname, scoped token, open/append/bulk status/drop, headers, error codes),
// https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-overview
// (default pipe <TABLE>-STREAMING),
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating
#include "clients/snowflake/streaming_client.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "base/ascii.h"
#include "base/log.h"
#include "clients/http/http_client.h"
#include "clients/http/http_url.h"
#include "clients/snowflake/keypair_jwt.h"

namespace rivven::snowflake {
namespace {

constexpr char kJwtBearerGrant[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

/// The docs show {"<field>": "..."}; the tutorials use the body as it is. Both are accepted.
std::string FieldOrBody(const std::string& body, const char* field) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto it = doc.FindMember(field);
    return it != doc.MemberEnd() && it->value.IsString() ? Trim(it->value.GetString()) : "";
  }
  if (!doc.HasParseError() && doc.IsString()) return Trim(doc.GetString());
  return Trim(body);
}

std::optional<std::string> OptionalString(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  it->value.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

std::string PipePath(const std::string& database, const std::string& schema,
                     const std::string& pipe) {
  return "/databases/" + http::UrlEncode(database) + "/schemas/" + http::UrlEncode(schema) +
         "/pipes/" + http::UrlEncode(pipe);
}

std::string ChannelName(const std::string& database, const std::string& schema,
                        const std::string& pipe, const std::string& channel) {
  return database + "." + schema + "." + pipe + " channel " + channel;
}

}  // namespace

std::string DefaultPipeName(const std::string& table) { return table + "-STREAMING"; }

/// One request to the streaming host.
struct StreamingClient::Call {
  std::string method;
  std::string path_and_query;
  std::string content_type;
  std::string_view body;
  std::string what;  ///< "AppendRows DB.S.P channel C"
  /// AppendRows: answers that say "reopen the channel" become the stale-continuation Status.
  /// Elsewhere they are retried (e.g. STALE_PIPE_CACHE while opening).
  bool stale_is_final = false;
};

StreamingClient::StreamingClient(SnowflakeConnection connection, KeyPairJwt* jwt)
    : connection_(std::move(connection)),
      jwt_(jwt),
      base_url_(AccountUrl(connection_)),
      scheme_(base_url_.starts_with("http://") ? "http" : "https"),
      backoff_(connection_.initial_backoff, connection_.max_backoff) {}

StreamingClient::~StreamingClient() = default;

Result<std::unique_ptr<StreamingClient>> StreamingClient::Create(SnowflakeConnection connection,
                                                                 KeyPairJwt* jwt) {
  RC_RETURN_IF_ERROR(ValidateConnection(connection));
  if (jwt == nullptr) return Status::InvalidArgument("Snowpipe Streaming: no key-pair JWT");
  http::ClientOptions options;
  options.verify_tls = connection.verify_tls;
  options.ca_path = connection.ca_path;
  options.owner = connection.tls_owner;
  RC_ASSIGN_OR_RETURN(auto control, http::HttpClient::Create(options));
  RC_ASSIGN_OR_RETURN(auto ingest, http::HttpClient::Create(options));
  std::unique_ptr<StreamingClient> c(new StreamingClient(std::move(connection), jwt));
  c->control_http_ = std::move(control);
  c->ingest_http_ = std::move(ingest);
  return c;
}

void StreamingClient::SleepBeforeRetry(int attempt, const Status& failure,
                                       std::optional<std::chrono::milliseconds> retry_after) {
  auto delay = backoff_.Delay(attempt);
  if (retry_after) delay = std::max(delay, *retry_after);
  log::Debug("snowflake", "{} (attempt {} of {}), retrying in {} ms", failure.message(), attempt,
             connection_.max_attempts, delay.count());
  std::this_thread::sleep_for(delay);
}

Result<http::Response> StreamingClient::Control(const std::string& method, const std::string& path,
                                                const std::string& content_type,
                                                const std::string& body) {
  const std::string what = "Snowpipe Streaming " + method + " " + path;
  http::Request request;
  request.method = method;
  request.url = base_url_ + path;
  request.body_view = body;
  request.timeout = connection_.timeout;
  Status failure;
  for (int attempt = 1; attempt <= connection_.max_attempts; ++attempt) {
    request.headers = {{"Authorization", "Bearer " + jwt_->Token()},
                       {"X-Snowflake-Authorization-Token-Type", kKeyPairJwtTokenType}};
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    ++requests_;
    std::optional<std::chrono::milliseconds> retry_after;
    auto sent = control_http_->Send(request);
    if (!sent.ok()) {
      failure = sent.status().WithContext("Snowflake " + what);
      if (!failure.retriable()) return failure;
    } else {
      if (sent->status >= 200 && sent->status < 300) return std::move(sent).value();
      failure = AnswerStatus(what, sent->status, ParseErrorBody(sent->body));
      if (!IsRetriableHttpStatus(sent->status)) return failure;
      if (auto h = sent->Header("retry-after")) retry_after = CappedRetryAfter(*h);
    }
    if (attempt == connection_.max_attempts) break;
    SleepBeforeRetry(attempt, failure, retry_after);
  }
  return Status::Unavailable(failure.message() + " (gave up after " +
                             std::to_string(connection_.max_attempts) + " attempts)");
}

Status StreamingClient::EnsureScopedToken() {
  if (!scoped_token_.empty() &&
      std::chrono::steady_clock::now() - token_time_ < kScopedTokenMaxAge) {
    return Status::Ok();
  }
  ++exchanges_;
  if (hostname_.empty()) {
    RC_ASSIGN_OR_RETURN(http::Response r, Control("GET", "/v2/streaming/hostname", "", ""));
    std::string host = FieldOrBody(r.body, "hostname");
    if (const size_t s = host.find("://"); s != std::string::npos) host = host.substr(s + 3);
    while (!host.empty() && host.back() == '/') host.pop_back();
    if (host.empty()) {
      return Status::Corruption("Snowpipe Streaming: GET /v2/streaming/hostname answered no host");
    }
    // The docs' known issue: an account name with '_' gives a host the ingest service refuses;
    // the '-' form is to be used for the token scope and every call.
    std::replace(host.begin(), host.end(), '_', '-');
    hostname_ = std::move(host);
  }
  const std::string form =
      "grant_type=" + http::UrlEncode(kJwtBearerGrant) + "&scope=" + http::UrlEncode(hostname_);
  RC_ASSIGN_OR_RETURN(http::Response r,
                      Control("POST", "/oauth/token", "application/x-www-form-urlencoded", form));
  std::string token = FieldOrBody(r.body, "token");
  if (token.empty()) {
    return Status::Corruption("Snowpipe Streaming: POST /oauth/token answered no token");
  }
  scoped_token_ = std::move(token);
  token_time_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Result<http::Response> StreamingClient::Ingest(const Call& call) {
  const std::string what = "Snowpipe Streaming " + call.what;
  http::Request request;
  request.method = call.method;
  request.body_view = call.body;
  request.timeout = connection_.timeout;
  Status failure;
  bool reauthenticated = false;
  int attempt = 0;
  while (attempt < connection_.max_attempts) {
    ++attempt;
    RC_RETURN_IF_ERROR(EnsureScopedToken());
    request.url = scheme_ + "://" + hostname_ + "/v2/streaming" + call.path_and_query;
    request.headers = {{"Authorization", "Bearer " + scoped_token_}};
    if (!call.content_type.empty()) request.headers.emplace_back("Content-Type", call.content_type);
    ++requests_;
    std::optional<std::chrono::milliseconds> retry_after;
    auto sent = ingest_http_->Send(request);
    if (!sent.ok()) {
      failure = sent.status().WithContext("Snowflake " + what);
      if (!failure.retriable()) return failure;
    } else {
      const long status = sent->status;
      if (status >= 200 && status < 300) return std::move(sent).value();
      const ErrorBody error = ParseErrorBody(sent->body);
      failure = AnswerStatus(what, status, error);
      if (status == 401 && !reauthenticated) {
        // The scoped token expired or was revoked: discover and exchange again, once per call,
        // without using up an attempt.
        reauthenticated = true;
        scoped_token_.clear();
        hostname_.clear();
        --attempt;
        continue;
      }
      // For an append, a channel that is gone (dropped, or its pipe recreated) is reopened too.
      const bool reopen =
          IsReopenChannelCode(error.code) ||
          (call.stale_is_final &&
           (status == 409 || error.code == "ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED"));
      if (reopen && call.stale_is_final) return StaleContinuationStatus(failure.message());
      if (!reopen && !IsRetriableHttpStatus(status)) return failure;
      if (reopen) failure = Status::Unavailable(failure.message());
      if (auto h = sent->Header("retry-after")) retry_after = CappedRetryAfter(*h);
    }
    if (attempt == connection_.max_attempts) break;
    SleepBeforeRetry(attempt, failure, retry_after);
  }
  return Status::Unavailable(failure.message() + " (gave up after " +
                             std::to_string(connection_.max_attempts) + " attempts)");
}

Result<ChannelState> StreamingClient::OpenChannel(const std::string& database,
                                                  const std::string& schema,
                                                  const std::string& pipe,
                                                  const std::string& channel) {
  Call call;
  call.method = "PUT";
  call.path_and_query = PipePath(database, schema, pipe) + "/channels/" + http::UrlEncode(channel);
  call.content_type = "application/json";
  call.body = "{}";
  call.what = "OpenChannel " + ChannelName(database, schema, pipe, channel);
  RC_ASSIGN_OR_RETURN(http::Response r, Ingest(call));
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::Corruption("Snowflake " + call.what + ": the answer is not a JSON object");
  }
  ChannelState state;
  auto token = OptionalString(doc, "next_continuation_token");
  if (!token || token->empty()) {
    return Status::Corruption("Snowflake " + call.what + ": no next_continuation_token");
  }
  state.continuation_token = std::move(*token);
  if (auto st = doc.FindMember("channel_status"); st != doc.MemberEnd()) {
    state.last_committed_offset_token = OptionalString(st->value, "last_committed_offset_token");
  }
  return state;
}

Result<std::string> StreamingClient::AppendRows(const std::string& database,
                                                const std::string& schema, const std::string& pipe,
                                                const std::string& channel,
                                                const std::string& continuation_token,
                                                const std::string& offset_token,
                                                std::string_view ndjson) {
  Call call;
  call.method = "POST";
  // The data path has its own prefix: /v2/streaming/data/databases/...
  call.path_and_query = "/data" + PipePath(database, schema, pipe) + "/channels/" +
                        http::UrlEncode(channel) +
                        "/rows?continuationToken=" + http::UrlEncode(continuation_token) +
                        "&offsetToken=" + http::UrlEncode(offset_token);
  call.content_type = "application/x-ndjson";
  call.body = ndjson;
  call.what = "AppendRows " + ChannelName(database, schema, pipe, channel);
  call.stale_is_final = true;
  RC_ASSIGN_OR_RETURN(http::Response r, Ingest(call));
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  auto token = doc.HasParseError() ? std::nullopt : OptionalString(doc, "next_continuation_token");
  if (!token || token->empty()) {
    return Status::Corruption("Snowflake " + call.what + ": no next_continuation_token");
  }
  return std::move(*token);
}

Result<std::optional<std::string>> StreamingClient::CommittedOffsetToken(
    const std::string& database, const std::string& schema, const std::string& pipe,
    const std::string& channel) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("channel_names");
  w.StartArray();
  w.String(channel.data(), static_cast<rapidjson::SizeType>(channel.size()));
  w.EndArray();
  w.EndObject();
  const std::string body(sb.GetString(), sb.GetSize());
  Call call;
  call.method = "POST";
  call.path_and_query = PipePath(database, schema, pipe) + ":bulk-channel-status";
  call.content_type = "application/json";
  call.body = body;
  call.what = "BulkChannelStatus " + ChannelName(database, schema, pipe, channel);
  RC_ASSIGN_OR_RETURN(http::Response r, Ingest(call));
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::Corruption("Snowflake " + call.what + ": the answer is not a JSON object");
  }
  auto statuses = doc.FindMember("channel_statuses");
  if (statuses == doc.MemberEnd() || !statuses->value.IsObject()) {
    return Status::Corruption("Snowflake " + call.what + ": no channel_statuses object");
  }
  // Channel names are case-insensitive: the answer may spell the name differently.
  const rapidjson::Value* found = nullptr;
  for (const auto& m : statuses->value.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == channel) {
      found = &m.value;
      break;
    }
    if (found == nullptr && AsciiUpper(name) == AsciiUpper(channel)) found = &m.value;
  }
  if (found == nullptr) return std::optional<std::string>();
  return OptionalString(*found, "last_committed_offset_token");
}

Status StreamingClient::DropChannel(const std::string& database, const std::string& schema,
                                    const std::string& pipe, const std::string& channel) {
  Call call;
  call.method = "DELETE";
  call.path_and_query = PipePath(database, schema, pipe) + "/channels/" + http::UrlEncode(channel);
  call.what = "DropChannel " + ChannelName(database, schema, pipe, channel);
  auto r = Ingest(call);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace rivven::snowflake
