// Docs followed: https://docs.snowflake.com/en/developer-guide/sql-api/reference,
// https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests,
// https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses,
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating
#include "clients/snowflake/sql_api.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "base/log.h"
#include "clients/http/http_client.h"
#include "clients/http/http_url.h"
#include "clients/snowflake/keypair_jwt.h"

namespace rivven::snowflake {
namespace {

constexpr char kStatementsPath[] = "/api/v2/statements";
// Snowflake answers a synchronous request within 45 s (then 202); the HTTP timeout leaves it room
// to answer a statement timeout (408) itself.
constexpr std::chrono::seconds kHttpMargin{10};
// How long past the statement timeout a 202 is polled before giving up.
constexpr std::chrono::seconds kPollMargin{60};
constexpr std::chrono::milliseconds kMaxPollInterval{5000};

std::string JsonText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

Status AppendRows(const rapidjson::Value& data,
                  std::vector<std::vector<std::optional<std::string>>>* rows) {
  if (!data.IsArray()) return Status::Corruption("Snowflake SQL API: \"data\" is not an array");
  for (const auto& row : data.GetArray()) {
    if (!row.IsArray()) return Status::Corruption("Snowflake SQL API: a row is not an array");
    std::vector<std::optional<std::string>> out;
    out.reserve(row.Size());
    for (const auto& v : row.GetArray()) {
      if (v.IsNull()) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(JsonText(v));
      }
    }
    rows->push_back(std::move(out));
  }
  return Status::Ok();
}

Result<std::string> Gunzip(std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    return Status::Internal("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Corruption("Snowflake SQL API: a gzip-encoded answer does not inflate");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::Corruption("Snowflake SQL API: a gzip-encoded answer is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

int64_t Int(const rapidjson::Value& obj, const char* name, bool* found) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return 0;
  if (it->value.IsInt64()) {
    *found = true;
    return it->value.GetInt64();
  }
  if (it->value.IsString()) {
    *found = true;
    return std::strtoll(it->value.GetString(), nullptr, 10);
  }
  return 0;
}

}  // namespace

SqlApi::SqlApi(SnowflakeConnection connection, KeyPairJwt* jwt)
    : connection_(std::move(connection)),
      jwt_(jwt),
      base_url_(AccountUrl(connection_)),
      backoff_(connection_.initial_backoff, connection_.max_backoff) {}

SqlApi::~SqlApi() = default;

Result<std::unique_ptr<SqlApi>> SqlApi::Create(SnowflakeConnection connection, KeyPairJwt* jwt) {
  RC_RETURN_IF_ERROR(ValidateConnection(connection));
  if (jwt == nullptr) return Status::InvalidArgument("Snowflake SQL API: no key-pair JWT");
  http::ClientOptions options;
  options.verify_tls = connection.verify_tls;
  options.ca_path = connection.ca_path;
  options.owner = connection.tls_owner;
  RC_ASSIGN_OR_RETURN(auto http, http::HttpClient::Create(options));
  std::unique_ptr<SqlApi> api(new SqlApi(std::move(connection), jwt));
  api->http_ = std::move(http);
  return api;
}

std::string SqlApi::RequestBody(const std::string& sql,
                                const std::vector<Binding>& bindings) const {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto str = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("statement");
  str(sql);
  w.Key("timeout");
  w.Int64(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(connection_.timeout).count()));
  const std::pair<const char*, const std::string*> context[] = {
      {"database", &connection_.database},
      {"schema", &connection_.schema},
      {"warehouse", &connection_.warehouse},
      {"role", &connection_.role}};
  for (const auto& [key, value] : context) {
    if (value->empty()) continue;
    w.Key(key);
    str(*value);
  }
  if (!bindings.empty()) {
    w.Key("bindings");
    w.StartObject();
    for (size_t i = 0; i < bindings.size(); ++i) {
      w.Key(std::to_string(i + 1).c_str());
      w.StartObject();
      w.Key("type");
      str(bindings[i].type);
      w.Key("value");
      if (bindings[i].value) {
        str(*bindings[i].value);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Result<http::Response> SqlApi::Call(const std::string& method, const std::string& url,
                                    const std::string& resend_url, const std::string& body,
                                    const std::string& what) {
  http::Request request;
  request.method = method;
  request.body_view = body;
  request.timeout = connection_.timeout + kHttpMargin;
  Status failure;
  for (int attempt = 1; attempt <= connection_.max_attempts; ++attempt) {
    request.url = attempt == 1 ? url : resend_url;
    request.headers = {{"Authorization", "Bearer " + jwt_->Token()},
                       {"X-Snowflake-Authorization-Token-Type", kKeyPairJwtTokenType},
                       {"Accept", "application/json"}};
    if (method == "POST") request.headers.emplace_back("Content-Type", "application/json");
    ++requests_;
    std::optional<std::chrono::milliseconds> retry_after;
    auto sent = http_->Send(request);
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
    auto delay = backoff_.Delay(attempt);
    if (retry_after) delay = std::max(delay, *retry_after);
    log::Debug("snowflake", "{} (attempt {} of {}), retrying in {} ms", failure.message(), attempt,
               connection_.max_attempts, delay.count());
    std::this_thread::sleep_for(delay);
  }
  return Status::Unavailable(failure.message() + " (gave up after " +
                             std::to_string(connection_.max_attempts) + " attempts)");
}

Result<StatementResult> SqlApi::Execute(const std::string& sql,
                                        const std::vector<Binding>& bindings) {
  const std::string body = RequestBody(sql, bindings);
  const std::string url = base_url_ + kStatementsPath + "?requestId=" + NewRequestId();
  RC_ASSIGN_OR_RETURN(
      http::Response response,
      Call("POST", url, url + "&retry=true", body, std::string("SQL API POST ") + kStatementsPath));
  if (response.status == 202) {
    const ErrorBody status = ParseErrorBody(response.body);
    if (status.statement_handle.empty()) {
      return Status::Corruption("Snowflake SQL API: a 202 answer without a statementHandle");
    }
    return Await(status.statement_handle);
  }
  return ReadResult(response);
}

Result<StatementResult> SqlApi::Await(const std::string& handle) {
  const std::string url = base_url_ + kStatementsPath + "/" + http::UrlEncode(handle);
  const std::string what = std::string("SQL API GET ") + kStatementsPath + "/" + handle;
  const auto deadline = std::chrono::steady_clock::now() + connection_.timeout + kPollMargin;
  auto interval = std::max(connection_.initial_backoff, std::chrono::milliseconds(1));
  for (;;) {
    RC_ASSIGN_OR_RETURN(http::Response response, Call("GET", url, url, "", what));
    if (response.status != 202) return ReadResult(response);
    if (std::chrono::steady_clock::now() + interval > deadline) {
      return Status::Timeout("Snowflake statement " + handle + " still running after " +
                             std::to_string((connection_.timeout + kPollMargin).count() / 1000) +
                             " s");
    }
    std::this_thread::sleep_for(interval);
    interval = std::min(interval * 2,
                        std::min(kMaxPollInterval,
                                 std::max(connection_.max_backoff, std::chrono::milliseconds(1))));
  }
}

Result<std::string> SqlApi::Decoded(const http::Response& response) const {
  const auto encoding = response.Header("content-encoding");
  if (encoding && *encoding == "gzip") return Gunzip(response.body);
  return response.body;
}

Result<StatementResult> SqlApi::ReadResult(const http::Response& response) {
  RC_ASSIGN_OR_RETURN(std::string body, Decoded(response));
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::Corruption("Snowflake SQL API: the result is not a JSON object");
  }
  StatementResult result;
  if (auto it = doc.FindMember("statementHandle"); it != doc.MemberEnd() && it->value.IsString()) {
    result.statement_handle = it->value.GetString();
  }
  size_t partitions = 1;
  if (auto meta = doc.FindMember("resultSetMetaData");
      meta != doc.MemberEnd() && meta->value.IsObject()) {
    if (auto rt = meta->value.FindMember("rowType");
        rt != meta->value.MemberEnd() && rt->value.IsArray()) {
      for (const auto& col : rt->value.GetArray()) {
        auto name = col.IsObject() ? col.FindMember("name") : col.MemberEnd();
        result.column_names.push_back(col.IsObject() && name != col.MemberEnd() &&
                                              name->value.IsString()
                                          ? name->value.GetString()
                                          : "");
      }
    }
    if (auto pi = meta->value.FindMember("partitionInfo");
        pi != meta->value.MemberEnd() && pi->value.IsArray() && pi->value.Size() > 0) {
      partitions = pi->value.Size();
    }
  }
  if (auto data = doc.FindMember("data"); data != doc.MemberEnd()) {
    RC_RETURN_IF_ERROR(AppendRows(data->value, &result.rows));
  }
  if (auto stats = doc.FindMember("stats"); stats != doc.MemberEnd() && stats->value.IsObject()) {
    bool found = false;
    const int64_t n = Int(stats->value, "numRowsInserted", &found) +
                      Int(stats->value, "numRowsUpdated", &found) +
                      Int(stats->value, "numRowsDeleted", &found);
    if (found) result.rows_affected = n;
  }
  if (partitions > 1 && result.statement_handle.empty()) {
    return Status::Corruption("Snowflake SQL API: a partitioned result without a statementHandle");
  }
  for (size_t p = 1; p < partitions; ++p) {
    const std::string url = base_url_ + kStatementsPath + "/" +
                            http::UrlEncode(result.statement_handle) +
                            "?partition=" + std::to_string(p);
    const std::string what = std::string("SQL API GET ") + kStatementsPath + "/" +
                             result.statement_handle + " partition " + std::to_string(p);
    RC_ASSIGN_OR_RETURN(http::Response part, Call("GET", url, url, "", what));
    RC_ASSIGN_OR_RETURN(std::string part_body, Decoded(part));
    rapidjson::Document pd;
    pd.Parse(part_body.data(), part_body.size());
    auto data = pd.IsObject() ? pd.FindMember("data") : pd.MemberEnd();
    if (pd.HasParseError() || !pd.IsObject() || data == pd.MemberEnd()) {
      return Status::Corruption("Snowflake " + what + ": no \"data\" in the answer");
    }
    RC_RETURN_IF_ERROR(AppendRows(data->value, &result.rows));
  }
  return result;
}

}  // namespace rivven::snowflake
