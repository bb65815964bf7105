// FakeSnowflake's Snowpipe Streaming REST API (high-performance architecture): hostname, scoped
// token exchange, open/drop channel, append rows and bulk channel status.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zstd.h>

#include <charconv>
#include <set>

#include "support/fake_snowflake_state.h"

namespace rivven::testing::fake_snowflake {
namespace {

using Endpoint = FakeSnowflake::Endpoint;
using State = FakeSnowflake::State;
using Channel = State::Channel;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kMaxAppendBytes = 4 * 1024 * 1024;
constexpr size_t kMaxRequestBytes = 16 * 1024 * 1024;
constexpr char kChannelPath[] =
    R"(/v2/streaming/databases/([^/]+)/schemas/([^/]+)/pipes/([^/:]+)/channels/([^/]+))";

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Json(const std::function<void(Writer&)>& fill) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  fill(w);
  return buf.GetString();
}

void OptionalString(Writer& w, const char* key, const std::optional<std::string>& v) {
  w.Key(key);
  v ? w.String(v->c_str()) : w.Null();
}

// channel_status as Open Channel documents it (bulk = false) or a channel_statuses entry (true):
// the pages name the error count rows_error_count in one and rows_errors in the other.
void WriteStatus(Writer& w, const Channel& c, bool bulk) {
  w.StartObject();
  w.Key("database_name");
  w.String(c.database.c_str());
  w.Key("schema_name");
  w.String(c.schema.c_str());
  w.Key("pipe_name");
  w.String(c.pipe.c_str());
  w.Key("channel_name");
  w.String(c.name.c_str());
  w.Key("channel_status_code");
  w.String("ACTIVE");
  OptionalString(w, "last_committed_offset_token", c.committed);
  if (!bulk) {
    w.Key("created_on_ms");
    w.Int64(c.created_on_ms);
  }
  w.Key("rows_inserted");
  w.Int64(c.rows_inserted);
  w.Key("rows_parsed");
  w.Int64(c.rows_parsed);
  w.Key(bulk ? "rows_errors" : "rows_error_count");
  w.Int64(c.rows_errors);
  OptionalString(w, "last_error_offset_upper_bound", c.last_error_offset);
  OptionalString(w, "last_error_message", c.last_error_message);
  w.Key("last_error_timestamp");
  c.last_error_ms ? w.Int64(*c.last_error_ms) : w.Null();
  w.Key("snowflake_avg_processing_latency_ms");
  w.Int(0);
  w.EndObject();
}

std::string ContinuationToken(const Channel& c) {
  return std::to_string(c.id) + "_" + std::to_string(c.client_sequencer) + "_" +
         std::to_string(c.row_sequencer);
}

std::string ChannelKey(const httplib::Request& req) {
  return Upper(req.matches[1]) + "." + Upper(req.matches[2]) + "." + Upper(req.matches[3]) + "." +
         Upper(req.matches[4]);
}

bool CheckParams(const httplib::Request& req, const std::set<std::string>& allowed,
                 httplib::Response& res) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      SetError(res, 400, "INVALID_REQUEST", "unknown query parameter '" + name + "'");
      return false;
    }
  }
  if (req.has_param("requestId") && !IsUuid(req.get_param_value("requestId"))) {
    SetError(res, 400, "INVALID_REQUEST", "requestId must be a UUID");
    return false;
  }
  return true;
}

bool ContentTypeIs(const httplib::Request& req, const std::string& want, httplib::Response& res) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == want) return true;
  SetError(res, 415, "UNSUPPORTED_MEDIA_TYPE",
           "Content-Type must be " + want + ", not '" + req.get_header_value("Content-Type") + "'");
  return false;
}

bool SizeOk(const httplib::Request& req, size_t limit, httplib::Response& res) {
  // The size as sent: Content-Length, which counts compressed bytes when the body is gzip.
  const std::string length = req.get_header_value("Content-Length");
  const size_t sent = length.empty() ? req.body.size() : std::stoull(length);
  if (sent <= limit) return true;
  SetError(res, 413, "PAYLOAD_TOO_LARGE",
           "the request payload is " + std::to_string(sent) + " bytes; the limit is " +
               std::to_string(limit));
  return false;
}

// The body as sent, decoded: cpp-httplib has already decoded gzip (and deflate, br); zstd, which
// the page also lists, is decoded here. False with the error set for any other encoding.
bool DecodedBody(const httplib::Request& req, std::string* body, httplib::Response& res) {
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (encoding.empty() || encoding == "gzip" || encoding == "identity") {
    *body = req.body;
    return true;
  }
  if (encoding == "zstd") {
    std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> z(ZSTD_createDStream(),
                                                                 ZSTD_freeDStream);
    ZSTD_inBuffer in{req.body.data(), req.body.size(), 0};
    std::string chunk(1 << 16, '\0');
    size_t ret = 1;
    while (in.pos < in.size) {
      ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
      ret = ZSTD_decompressStream(z.get(), &out, &in);
      if (ZSTD_isError(ret) || body->size() + out.pos > kMaxRequestBytes * 4) break;
      body->append(chunk.data(), out.pos);
    }
    if (!ZSTD_isError(ret) && ret == 0) return true;
    SetError(res, 400, "INVALID_REQUEST", "the body is not one complete zstd frame");
    return false;
  }
  SetError(res, 415, "UNSUPPORTED_MEDIA_TYPE",
           "Content-Encoding '" + encoding + "' is not supported (gzip, zstd)");
  return false;
}

// A streamed JSON value as the value a column meets.
Value FromJson(const rapidjson::Value& v) {
  if (v.IsNull()) return {};
  if (v.IsBool()) return {Value::Kind::kBoolean, v.GetBool() ? "true" : "false"};
  if (v.IsString()) return {Value::Kind::kText, std::string(v.GetString(), v.GetStringLength())};
  if (v.IsInt64()) return {Value::Kind::kFixed, std::to_string(v.GetInt64())};
  if (v.IsUint64()) return {Value::Kind::kFixed, std::to_string(v.GetUint64())};
  if (v.IsNumber()) {
    char buf[64];
    return {Value::Kind::kReal, std::string(buf, std::to_chars(buf, buf + 64, v.GetDouble()).ptr)};
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  v.Accept(w);
  return {Value::Kind::kVariant, buf.GetString()};
}

// One NDJSON object as a table row; "" or why the row is rejected.
std::string RowProblem(const Table& t, const rapidjson::Value& object, std::vector<Cell>* row) {
  row->assign(t.columns.size(), std::nullopt);
  std::vector<bool> set(t.columns.size());
  for (const auto& m : object.GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    int i = t.FindColumn(key);
    if (i < 0) i = t.FindColumn(Upper(key));
    if (i < 0) {
      return "The given row cannot be converted to the internal format: Extra columns: [" + key +
             "]. Columns not present in the table shouldn't be specified.";
    }
    if (set[i]) return "The given row names column " + t.columns[i].name + " twice";
    set[i] = true;
    const Column& col = t.columns[i];
    Value v = FromJson(m.value);
    if (col.type.kind == ColumnType::Kind::kVariant && v.kind != Value::Kind::kNull) {
      v = {Value::Kind::kVariant, ""};
      rapidjson::StringBuffer buf;
      Writer w(buf);
      m.value.Accept(w);
      v.text = buf.GetString();
    }
    SqlError e;
    if (!Coerce(v, col, &(*row)[i], &e)) {
      return "The given row cannot be converted to the internal format due to invalid value: "
             "Value cannot be ingested into Snowflake column " +
             col.name + " of type " + col.type.Text() + ": " + e.message;
    }
  }
  for (size_t i = 0; i < set.size(); ++i) {
    if (!set[i] && t.columns[i].not_null) {
      return "The given row cannot be converted to the internal format: Missing columns: [" +
             t.columns[i].name + "]. Values for all non-nullable columns must be specified.";
    }
  }
  return "";
}

void Hostname(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckJwt(req, res)) return;
  res.set_content(Json([&](Writer& w) {
                    w.StartObject();
                    w.Key("hostname");
                    w.String(("127.0.0.1:" + std::to_string(s.port)).c_str());
                    w.EndObject();
                  }),
                  "application/json");
}

void Token(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckJwt(req, res) || !ContentTypeIs(req, "application/x-www-form-urlencoded", res)) {
    return;
  }
  std::map<std::string, std::string> form;
  size_t pos = 0;
  while (pos <= req.body.size() && !req.body.empty()) {
    const size_t end = std::min(req.body.find('&', pos), req.body.size());
    const std::string pair = req.body.substr(pos, end - pos);
    const size_t eq = pair.find('=');
    form[httplib::detail::decode_url(pair.substr(0, eq), true)] =
        eq == std::string::npos ? "" : httplib::detail::decode_url(pair.substr(eq + 1), true);
    pos = end + 1;
  }
  const std::string host = "127.0.0.1:" + std::to_string(s.port);
  if (form.size() != 2 || form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" ||
      form["scope"] != host) {
    SetError(res, 400, "INVALID_REQUEST",
             "the form must be grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and scope="
             "<the hostname from GET /v2/streaming/hostname: " +
                 host + ">; got '" + req.body + "'");
    return;
  }
  const std::string token =
      "scoped-" + std::to_string(s.next_token++) + "-" + std::to_string(NowMs());
  s.tokens[token] = {NowMs() + 1000LL * s.options.scoped_token_ttl_seconds, false};
  res.set_content(Json([&](Writer& w) {
                    w.StartObject();
                    w.Key("token");
                    w.String(token.c_str());
                    w.EndObject();
                  }),
                  "application/json");
}

void OpenChannel(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckScopedToken(req, res) || !CheckParams(req, {"requestId"}, res) ||
      !SizeOk(req, kMaxRequestBytes, res)) {
    return;
  }
  rapidjson::Document d;
  d.SetObject();
  if (!req.body.empty()) {
    if (!ContentTypeIs(req, "application/json", res)) return;
    d.Parse(req.body.c_str(), req.body.size());
  }
  if (d.HasParseError() || !d.IsObject()) {
    SetError(res, 400, "INVALID_REQUEST", "the body is not a JSON object");
    return;
  }
  std::string problem;
  for (const auto& m : d.GetObject()) {
    if (!problem.empty()) break;
    const std::string name = m.name.GetString();
    if (name == "offset_token" && !m.value.IsString()) problem = "offset_token must be a string";
    if (name == "fail_on_uncommitted_rows" && !m.value.IsBool()) {
      problem = "fail_on_uncommitted_rows must be a boolean";
    }
    if (name != "offset_token" && name != "fail_on_uncommitted_rows") {
      problem = "unknown field '" + name + "'";
    }
  }
  if (!problem.empty()) {
    SetError(res, 400, "INVALID_REQUEST", problem);
    return;
  }
  const std::string pipe = Upper(req.matches[3]);
  const std::string suffix = "-STREAMING";
  const Table* table =
      pipe.size() > suffix.size() && pipe.ends_with(suffix)
          ? s.sql.FindInsensitive(std::string(req.matches[1]), std::string(req.matches[2]),
                                  pipe.substr(0, pipe.size() - suffix.size()))
          : nullptr;
  if (!table) {
    SetError(res, 404, "PIPE_DOES_NOT_EXIST",
             "Pipe '" + pipe +
                 "' does not exist or not authorized (FakeSnowflake has the default "
                 "pipe <TABLE>-STREAMING of each table only)");
    return;
  }
  const std::string key = ChannelKey(req);
  auto it = s.channels.find(key);
  if (it == s.channels.end()) {
    Channel c;
    c.database = Upper(req.matches[1]);
    c.schema = Upper(req.matches[2]);
    c.pipe = pipe;
    c.name = Upper(req.matches[4]);
    c.id = s.next_channel++;
    c.created_on_ms = NowMs();
    it = s.channels.emplace(key, std::move(c)).first;
  } else {
    if (!it->second.pending.empty() && d.HasMember("fail_on_uncommitted_rows") &&
        d["fail_on_uncommitted_rows"].GetBool()) {
      SetError(res, 409, "ERR_CHANNEL_HAS_UNCOMMITTED_DATA",
               "the channel has uncommitted in-flight data");
      return;
    }
    it->second.pending.clear();  // in-flight data is discarded
    ++it->second.client_sequencer;
    it->second.row_sequencer = 0;
  }
  Channel& c = it->second;
  c.table_database = table->database;
  c.table_schema = table->schema;
  c.table_name = table->name;
  if (d.HasMember("offset_token")) c.committed = d["offset_token"].GetString();
  res.set_content(Json([&](Writer& w) {
                    w.StartObject();
                    w.Key("next_continuation_token");
                    w.String(ContinuationToken(c).c_str());
                    w.Key("channel_status");
                    WriteStatus(w, c, false);
                    w.EndObject();
                  }),
                  "application/json");
}

void DropChannel(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckScopedToken(req, res) || !CheckParams(req, {"requestId"}, res)) return;
  if (s.channels.erase(ChannelKey(req)) == 0) {
    SetError(res, 404, "CHANNEL_DOES_NOT_EXIST",
             "Channel '" + Upper(req.matches[4]) + "' does not exist");
    return;
  }
  res.set_content("{}", "application/json");
}

void AppendRows(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckScopedToken(req, res) ||
      !CheckParams(
          req,
          {"continuationToken", "offsetToken", "startOffsetToken", "endOffsetToken", "requestId"},
          res) ||
      !ContentTypeIs(req, "application/x-ndjson", res) || !SizeOk(req, kMaxAppendBytes, res)) {
    return;
  }
  const bool old_form = req.has_param("offsetToken");
  if (!req.has_param("continuationToken") ||
      (old_form && (req.has_param("startOffsetToken") || req.has_param("endOffsetToken"))) ||
      req.has_param("startOffsetToken") != req.has_param("endOffsetToken")) {
    SetError(res, 400, "INVALID_REQUEST",
             "append rows takes continuationToken and either offsetToken or both "
             "startOffsetToken and endOffsetToken");
    return;
  }
  const auto it = s.channels.find(ChannelKey(req));
  if (it == s.channels.end()) {
    SetError(res, 404, "CHANNEL_DOES_NOT_EXIST",
             "Channel '" + Upper(req.matches[4]) + "' does not exist: open it first");
    return;
  }
  Channel& c = it->second;
  const std::string token = req.get_param_value("continuationToken");
  if (token.rfind(std::to_string(c.id) + "_", 0) != 0) {
    SetError(res, 400, "INVALID_CONTINUATION_TOKEN",
             "the continuation token is not one of this channel");
    return;
  }
  if (token != ContinuationToken(c)) {
    SetError(res, 400, "STALE_CONTINUATION_TOKEN_SEQUENCER",
             "Channel sequencer in the continuation token is stale. Please reopen the channel");
    return;
  }
  const std::optional<std::string> offset =
      old_form                          ? std::optional(req.get_param_value("offsetToken"))
      : req.has_param("endOffsetToken") ? std::optional(req.get_param_value("endOffsetToken"))
                                        : std::nullopt;
  const Table* table = s.sql.FindInsensitive(c.table_database, c.table_schema, c.table_name);
  if (!table) {
    SetError(res, 404, "PIPE_DOES_NOT_EXIST", "the table of pipe " + c.pipe + " is gone");
    return;
  }
  std::string body;
  if (!DecodedBody(req, &body, res)) return;
  if (body.empty() || body.back() != '\n') {
    SetError(res, 400, "INVALID_NDJSON",
             "every JSON text of the NDJSON body must be followed by "
             "a newline, the last one included");
    return;
  }
  Channel::Pending batch;
  batch.offset = offset;
  int64_t parsed = 0, errors = 0;
  std::optional<std::string> last_error;
  for (size_t pos = 0; pos < body.size();) {
    const size_t nl = body.find('\n', pos);
    size_t end = nl;
    if (end > pos && body[end - 1] == '\r') --end;
    const std::string line = body.substr(pos, end - pos);
    pos = nl + 1;
    rapidjson::Document row;
    row.Parse<rapidjson::kParseFullPrecisionFlag>(line.c_str(), line.size());
    if (row.HasParseError() || !row.IsObject()) {
      SetError(res, 400, "INVALID_NDJSON",
               "line " + std::to_string(parsed + 1) + " is not one JSON object (RFC 8259)");
      return;
    }
    ++parsed;
    std::vector<Cell> cells;
    const std::string problem = RowProblem(*table, row, &cells);
    if (problem.empty()) {
      batch.rows.push_back(std::move(cells));
    } else {
      ++errors;
      last_error = problem;
    }
  }
  c.rows_parsed += parsed;
  c.rows_inserted += static_cast<int64_t>(batch.rows.size());
  if (errors > 0) {
    c.rows_errors += errors;
    c.last_error_message = last_error;
    c.last_error_offset = offset;
    c.last_error_ms = NowMs();
  }
  c.pending.push_back(std::move(batch));
  if (!s.commit_delayed) s.Commit(c);
  ++c.row_sequencer;
  res.set_content(Json([&](Writer& w) {
                    w.StartObject();
                    w.Key("next_continuation_token");
                    w.String(ContinuationToken(c).c_str());
                    w.EndObject();
                  }),
                  "application/json");
}

void BulkStatus(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.CheckScopedToken(req, res) || !CheckParams(req, {"requestId"}, res) ||
      !ContentTypeIs(req, "application/json", res) || !SizeOk(req, kMaxRequestBytes, res)) {
    return;
  }
  rapidjson::Document d;
  d.Parse(req.body.c_str(), req.body.size());
  bool ok = !d.HasParseError() && d.IsObject() && d.MemberCount() == 1 &&
            d.HasMember("channel_names") && d["channel_names"].IsArray();
  if (ok) {
    for (const auto& n : d["channel_names"].GetArray()) ok &= n.IsString();
  }
  if (!ok) {
    SetError(res, 400, "INVALID_REQUEST", "the body must be {\"channel_names\": [\"name\", ...]}");
    return;
  }
  const std::string prefix =
      Upper(req.matches[1]) + "." + Upper(req.matches[2]) + "." + Upper(req.matches[3]) + ".";
  res.set_content(Json([&](Writer& w) {
                    w.StartObject();
                    w.Key("channel_statuses");
                    w.StartObject();
                    for (const auto& n : d["channel_names"].GetArray()) {
                      const auto it = s.channels.find(prefix + n.GetString());  // case-sensitive
                      if (it == s.channels.end()) continue;
                      w.Key(n.GetString());
                      WriteStatus(w, it->second, true);
                    }
                    w.EndObject();
                    w.EndObject();
                  }),
                  "application/json");
}

}  // namespace

void RegisterStreaming(State& s) {
  using Req = httplib::Request;
  using Res = httplib::Response;
  s.server.Get("/v2/streaming/hostname", [&s](const Req& req, Res& res) {
    s.Serve(Endpoint::kHostname, req, res, [&] { Hostname(s, req, res); });
  });
  s.server.Post("/oauth/token", [&s](const Req& req, Res& res) {
    s.Serve(Endpoint::kOauthToken, req, res, [&] { Token(s, req, res); });
  });
  s.server.Put(kChannelPath, [&s](const Req& req, Res& res) {
    s.Serve(Endpoint::kOpenChannel, req, res, [&] { OpenChannel(s, req, res); });
  });
  s.server.Delete(kChannelPath, [&s](const Req& req, Res& res) {
    s.Serve(Endpoint::kDropChannel, req, res, [&] { DropChannel(s, req, res); });
  });
  s.server.Post(std::string("/v2/streaming/data") +
                    (kChannelPath + std::string_view("/v2/streaming").size()) + "/rows",
                [&s](const Req& req, Res& res) {
                  s.Serve(Endpoint::kAppendRows, req, res, [&] { AppendRows(s, req, res); });
                });
  s.server.Post(
      R"(/v2/streaming/databases/([^/]+)/schemas/([^/]+)/pipes/([^/:]+):bulk-channel-status)",
      [&s](const Req& req, Res& res) {
        s.Serve(Endpoint::kChannelStatus, req, res, [&] { BulkStatus(s, req, res); });
      });
}

}  // namespace rivven::testing::fake_snowflake
