// FakeSnowflake's SQL API: POST /api/v2/statements and GET /api/v2/statements/{handle}, with the
// request checks, requestId deduplication and asynchronous answers of the reference pages.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <set>

#include "support/fake_snowflake_state.h"

namespace rivven::testing::fake_snowflake {
namespace {

using Endpoint = FakeSnowflake::Endpoint;
using State = FakeSnowflake::State;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The headers every SQL API operation needs ("Request headers for all operations"), past auth.
bool CheckHeaders(const State& s, const httplib::Request& req, httplib::Response& res,
                  bool has_body) {
  if (has_body) {
    const std::string type = Lower(req.get_header_value("Content-Type"));
    if (type.substr(0, type.find(';')) != "application/json") {
      SetError(res, 415, "390142", "Content-Type must be application/json, not '" + type + "'");
      return false;
    }
  }
  const std::string accept = Lower(req.get_header_value("Accept"));
  if (accept.find("application/json") == std::string::npos &&
      accept.find("*/*") == std::string::npos) {
    SetError(res, 400, "390142", "Accept must include application/json (or */*)");
    return false;
  }
  if (req.get_header_value("User-Agent").empty()) {
    SetError(res, 400, "391903", "User-Agent header is required");
    return false;
  }
  return s.CheckJwt(req, res);
}

bool BoolParam(const httplib::Request& req, const char* name, bool* value, httplib::Response& res) {
  if (!req.has_param(name)) return true;
  const std::string v = req.get_param_value(name);
  if (v != "true" && v != "false") {
    SetError(res, 400, "390142", std::string("query parameter ") + name + " must be true or false");
    return false;
  }
  *value = v == "true";
  return true;
}

bool CheckParams(const httplib::Request& req, const std::set<std::string>& allowed,
                 httplib::Response& res) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      SetError(res, 400, "390142", "unknown query parameter '" + name + "'");
      return false;
    }
  }
  if (req.has_param("requestId") && !IsUuid(req.get_param_value("requestId"))) {
    SetError(res, 400, "390142", "requestId must be a UUID");
    return false;
  }
  return true;
}

// The body's shape, as "Body of the POST request to /api/v2/statements" defines it; "" when fine.
std::string BodyProblem(const rapidjson::Document& d, std::vector<Binding>* bindings) {
  if (!d.IsObject()) return "the body is not a JSON object";
  static const std::set<std::string> kFields = {"statement", "timeout", "database", "schema",
                                                "warehouse", "role",    "bindings", "parameters"};
  for (const auto& m : d.GetObject()) {
    const std::string name = m.name.GetString();
    if (!kFields.count(name)) return "unknown field '" + name + "'";
    if (name == "timeout") {
      if (!m.value.IsInt64() || m.value.GetInt64() < 0 || m.value.GetInt64() > 604800) {
        return "timeout must be an integer from 0 to 604800";
      }
    } else if (name == "bindings" || name == "parameters") {
      if (!m.value.IsObject()) return name + " must be an object";
    } else if (!m.value.IsString()) {
      return name + " must be a string";
    }
  }
  if (!d.HasMember("statement")) return "statement is missing";
  if (d.HasMember("parameters")) {
    static const std::set<std::string> kParams = {"binary_output_format",
                                                  "client_result_chunk_size",
                                                  "date_output_format",
                                                  "multi_statement_count",
                                                  "query_tag",
                                                  "rows_per_resultset",
                                                  "time_output_format",
                                                  "timestamp_ltz_output_format",
                                                  "timestamp_ntz_output_format",
                                                  "timestamp_output_format",
                                                  "timestamp_tz_output_format",
                                                  "timezone",
                                                  "use_cached_result"};
    for (const auto& m : d["parameters"].GetObject()) {
      if (!kParams.count(Lower(m.name.GetString()))) {
        return "unknown parameter '" + std::string(m.name.GetString()) + "'";
      }
    }
  }
  if (!d.HasMember("bindings")) return "";
  static const std::set<std::string> kTypes = {
      "FIXED", "REAL", "DECFLOAT",     "TEXT",          "BINARY",       "BOOLEAN",
      "DATE",  "TIME", "TIMESTAMP_TZ", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ"};
  const auto& b = d["bindings"];
  for (rapidjson::SizeType i = 1; i <= b.MemberCount(); ++i) {
    const std::string key = std::to_string(i);
    if (!b.HasMember(key.c_str())) {
      return "bindings must be keyed \"1\"..\"" + std::to_string(b.MemberCount()) + "\"; \"" + key +
             "\" is missing";
    }
    const auto& v = b[key.c_str()];
    if (!v.IsObject() || v.MemberCount() != 2 || !v.HasMember("type") || !v.HasMember("value")) {
      return "binding " + key + " must be {\"type\": ..., \"value\": ...}";
    }
    if (!v["type"].IsString() || !kTypes.count(v["type"].GetString())) {
      return "binding " + key + " has no documented type";
    }
    if (!v["value"].IsString() && !v["value"].IsNull()) {
      return "binding " + key + " value must be a string (or null)";
    }
    bindings->push_back(
        {v["type"].GetString(),
         v["value"].IsNull() ? std::nullopt : std::optional<std::string>(v["value"].GetString())});
  }
  return "";
}

// Statements in `sql` split at semicolons outside quotes and comments (empty ones dropped).
int StatementCount(const std::string& sql) {
  int count = 0;
  bool content = false;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == '\\' && quote == '\'') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      content = true;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == ';') {
      count += content;
      content = false;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      content = true;
    }
  }
  return count + content;
}

std::string StatusUrl(const std::string& handle, const std::string& request_id) {
  return "/api/v2/statements/" + handle + "?requestId=" + request_id;
}

std::string ResultBody(const SqlResult& r, const std::string& handle, const std::string& request_id,
                       int64_t created_on, bool nullable) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("resultSetMetaData");
  w.StartObject();
  w.Key("numRows");
  w.Int64(static_cast<int64_t>(r.rows.size()));
  w.Key("format");
  w.String("jsonv2");
  w.Key("partitionInfo");
  w.StartArray();
  w.StartObject();
  w.Key("rowCount");
  w.Int64(static_cast<int64_t>(r.rows.size()));
  w.Key("uncompressedSize");
  size_t size = 0;
  for (const auto& row : r.rows) {
    for (const auto& v : row) size += v ? v->size() : 4;
  }
  w.Int64(static_cast<int64_t>(size));
  w.EndObject();
  w.EndArray();
  w.Key("rowType");
  w.StartArray();
  for (const auto& col : r.columns) {
    w.StartObject();
    w.Key("name");
    w.String(col.name.c_str());
    for (const char* empty : {"database", "schema", "table"}) {
      w.Key(empty);
      w.String("");
    }
    w.Key("type");
    w.String(col.type.c_str());
    const bool fixed = col.type == "fixed";
    w.Key("scale");
    fixed ? w.Int(0) : w.Null();
    w.Key("precision");
    fixed ? w.Int(38) : w.Null();
    w.Key("length");
    fixed ? w.Null() : w.Int(16777216);
    w.Key("byteLength");
    fixed ? w.Null() : w.Int(16777216);
    w.Key("nullable");
    w.Bool(true);
    w.Key("collation");
    w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("data");
  w.StartArray();
  for (const auto& row : r.rows) {
    w.StartArray();
    for (const auto& v : row) {
      if (v) {
        w.String(v->c_str(), static_cast<rapidjson::SizeType>(v->size()));
      } else if (nullable) {
        w.Null();
      } else {
        w.String("null");
      }
    }
    w.EndArray();
  }
  w.EndArray();
  w.Key("code");
  w.String("090001");
  w.Key("statementStatusUrl");
  w.String(StatusUrl(handle, request_id).c_str());
  w.Key("requestId");
  w.String(request_id.c_str());
  w.Key("sqlState");
  w.String("00000");
  w.Key("statementHandle");
  w.String(handle.c_str());
  w.Key("message");
  w.String("Statement executed successfully.");
  w.Key("createdOn");
  w.Int64(created_on);
  if (r.stats) {
    w.Key("stats");
    w.StartObject();
    w.Key("numRowsInserted");
    w.Int64(r.stats->inserted);
    w.Key("numRowsUpdated");
    w.Int64(r.stats->updated);
    w.Key("numRowsDeleted");
    w.Int64(r.stats->deleted);
    w.Key("numDuplicateRowsUpdated");
    w.Int64(0);
    w.EndObject();
  }
  w.EndObject();
  return buf.GetString();
}

// A QueryFailureStatus (with_sql_state) or a QueryStatus.
std::string StatusBody(const std::string& code, const std::string* sql_state,
                       const std::string& message, const std::string& handle,
                       const std::string& request_id, int64_t created_on) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("code");
  w.String(code.c_str());
  if (sql_state) {
    w.Key("sqlState");
    w.String(sql_state->c_str());
  }
  w.Key("message");
  w.String(message.c_str());
  w.Key("statementHandle");
  w.String(handle.c_str());
  w.Key("createdOn");
  w.Int64(created_on);
  w.Key("statementStatusUrl");
  w.String(StatusUrl(handle, request_id).c_str());
  w.EndObject();
  return buf.GetString();
}

void PostStatement(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!CheckHeaders(s, req, res, true) ||
      !CheckParams(req, {"requestId", "retry", "async", "nullable"}, res)) {
    return;
  }
  bool retry = false, async = false, nullable = true;
  if (!BoolParam(req, "retry", &retry, res) || !BoolParam(req, "async", &async, res) ||
      !BoolParam(req, "nullable", &nullable, res)) {
    return;
  }
  rapidjson::Document d;
  d.Parse(req.body.c_str(), req.body.size());
  std::vector<Binding> bindings;
  const std::string problem =
      d.HasParseError() ? "the body is not JSON" : BodyProblem(d, &bindings);
  if (!problem.empty()) {
    SetError(res, 400, "390142", "Incoming request does not contain a valid payload: " + problem);
    return;
  }
  const std::string statement = d["statement"].GetString();
  s.statements.push_back(statement);
  const std::string request_id = req.has_param("requestId") ? req.get_param_value("requestId") : "";
  if (retry && !request_id.empty() && s.request_ids.count(request_id)) {
    const auto& earlier = s.results[s.request_ids[request_id]];  // not run again
    res.status = earlier.status;
    res.set_content(earlier.body, "application/json");
    return;
  }
  char handle_buf[64];
  std::snprintf(handle_buf, sizeof handle_buf, "01c0ffee-0000-%04x-0000-%012llx", s.port & 0xffff,
                static_cast<unsigned long long>(s.next_handle++));
  const std::string handle = handle_buf;
  const std::string shown_id =
      request_id.empty() ? "00000000-0000-4000-8000-" + handle.substr(24) : request_id;
  const int64_t created_on = NowMs();
  auto str = [&](const char* f) {
    return d.HasMember(f) ? std::string(d[f].GetString()) : std::string();
  };
  State::StoredResult stored;
  SqlResult result;
  SqlError error;
  const int count = StatementCount(statement);
  if (count != 1) {
    error = {"000008", "0A000",
             "Actual statement count " + std::to_string(count) +
                 " did not match the desired statement count 1."};
  }
  if (count == 1 &&
      s.sql.Execute(statement, bindings, str("database"), str("schema"), &result, &error)) {
    stored.status = 200;
    stored.body = ResultBody(result, handle, shown_id, created_on, nullable);
    if (!request_id.empty()) s.request_ids[request_id] = handle;
  } else {
    stored.status = 422;
    stored.body =
        StatusBody(error.code, &error.sql_state, error.message, handle, shown_id, created_on);
    s.rejected.emplace_back(statement, error.message);
  }
  if (async || s.options.async_statements) {
    stored.pending_polls = s.options.async_pending_polls;
    stored.query_status = StatusBody("333334", nullptr,
                                     "Asynchronous execution in progress. Use provided query id "
                                     "to perform query monitoring and management.",
                                     handle, shown_id, created_on);
    res.status = 202;
    res.set_content(stored.query_status, "application/json");
  } else {
    res.status = stored.status;
    res.set_content(stored.body, "application/json");
  }
  s.results[handle] = std::move(stored);
}

void GetStatement(State& s, const httplib::Request& req, httplib::Response& res) {
  if (!CheckHeaders(s, req, res, false) || !CheckParams(req, {"requestId", "partition"}, res)) {
    return;
  }
  const std::string handle = req.matches[1];
  const auto it = s.results.find(handle);
  if (it == s.results.end()) {
    const std::string state = "02000";
    res.status = 422;
    res.set_content(
        StatusBody("000709", &state, "Statement " + handle + " not found", handle, "", NowMs()),
        "application/json");
    return;
  }
  if (req.has_param("partition") && req.get_param_value("partition") != "0") {
    SetError(res, 422, "000709", "FakeSnowflake returns every result in partition 0");
    return;
  }
  State::StoredResult& r = it->second;
  if (r.pending_polls > 0) {
    --r.pending_polls;
    res.status = 202;
    res.set_content(r.query_status, "application/json");
    return;
  }
  res.status = r.status;
  res.set_content(r.body, "application/json");
}

}  // namespace

void RegisterSqlApi(State& s) {
  s.server.Post("/api/v2/statements", [&s](const httplib::Request& req, httplib::Response& res) {
    s.Serve(Endpoint::kSqlStatements, req, res, [&] { PostStatement(s, req, res); });
  });
  s.server.Get(R"(/api/v2/statements/([^/]+))",
               [&s](const httplib::Request& req, httplib::Response& res) {
                 s.Serve(Endpoint::kSqlStatements, req, res, [&] { GetStatement(s, req, res); });
               });
}

}  // namespace rivven::testing::fake_snowflake
