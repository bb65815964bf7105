#include "connectors/http/http_poll_config.h"

#include "formats/jsonpath.h"

namespace rivven::http {

using config::Key;
using config::ValueType;

config::Schema HttpPollSchema() {
  config::Schema s;
  s.Add(Key("url", ValueType::kString, "Endpoint URL (http:// or https://).").Required());
  s.Add(Key("method", ValueType::kString, "HTTP method.").Default("GET").OneOf({"GET", "POST"}));
  s.Add(Key("headers", ValueType::kStringMap, "Request headers (values may use ${VAR})."));
  s.Add(Key("body", ValueType::kString, "Request body (POST)."));
  s.Add(Key("poll_interval_secs", ValueType::kInt, "Time between polls.").Default("60").Min(0));
  s.Add(Key("response_path", ValueType::kString,
            "JSONPath selecting the records of a response, e.g. $.data[*] (child, wildcard, "
            "recursive descent .., index, slice, filter [?(@.x > 1)]). $ alone: a top-level "
            "array gives one record per element, anything else one record.")
            .Default("$"));
  s.Add(Key("timeout_secs", ValueType::kInt, "Deadline of one request.").Default("30").Min(1));
  s.Add(Key("auth", ValueType::kObject, "Authentication.")
            .Child(Key("type", ValueType::kString, "none, bearer, basic or api_key.")
                       .Default("none")
                       .OneOf({"none", "bearer", "basic", "api_key"}))
            .Child(Key("token", ValueType::kString, "bearer: the token.").Secret())
            .Child(Key("username", ValueType::kString, "basic: user name."))
            .Child(Key("password", ValueType::kString, "basic: password.").Secret())
            .Child(Key("key_name", ValueType::kString, "api_key: header or query parameter name.")
                       .Default("X-API-Key"))
            .Child(Key("key_value", ValueType::kString, "api_key: the key.").Secret())
            .Child(Key("key_in", ValueType::kString, "api_key: header or query.")
                       .Default("header")
                       .OneOf({"header", "query"})));
  s.Add(Key("pagination", ValueType::kObject, "How to get the pages of one poll.")
            .Child(Key("type", ValueType::kString,
                       "none; next_link (a URL in the body at next_path); link_header (RFC 8288 "
                       "rel=next); cursor (a token at next_path sent as cursor_param); page "
                       "(page_param from page_start); offset (offset_param by records read).")
                       .Default("none")
                       .OneOf({"none", "next_link", "link_header", "cursor", "page", "offset"}))
            .Child(Key("next_path", ValueType::kString,
                       "next_link/cursor: JSONPath of the next URL or cursor in the body."))
            .Child(Key("cursor_param", ValueType::kString, "cursor: query parameter.").Default("cursor"))
            .Child(Key("page_param", ValueType::kString, "page: query parameter.").Default("page"))
            .Child(Key("page_start", ValueType::kInt, "page: the first page's number.").Default("1"))
            .Child(Key("offset_param", ValueType::kString, "offset: query parameter.").Default("offset"))
            .Child(Key("limit_param", ValueType::kString,
                       "page/offset: query parameter sent with page_size."))
            .Child(Key("page_size", ValueType::kInt,
                       "page/offset: records per page; a shorter page is the last.")
                       .Default("0")
                       .Min(0))
            .Child(Key("max_pages", ValueType::kInt, "Pages per poll at most.")
                       .Default("1000")
                       .Min(1)));
  s.Add(Key("incremental", ValueType::kObject,
            "Ask only for what is new: the field of the last record emitted is sent as a query "
            "parameter, and kept in the checkpoint, so a restart neither re-emits nor skips.")
            .Child(Key("field", ValueType::kString, "JSONPath of the cursor field in a record."))
            .Child(Key("param", ValueType::kString, "Query parameter carrying its last value."))
            .Child(Key("initial", ValueType::kString, "Value sent before any record was seen.")));
  s.Add(Key("etag", ValueType::kBool,
            "Send If-None-Match with the last response's ETag; 304 Not Modified means nothing new.")
            .Default("true"));
  s.Add(Key("dedup_path", ValueType::kString,
            "JSONPath of a record's unique id: records whose id was emitted recently are dropped."));
  s.Add(Key("dedup_window", ValueType::kInt, "How many recent ids dedup remembers (checkpointed).")
            .Default("10000")
            .Min(1)
            .Max(1000000));
  s.Add(Key("key_path", ValueType::kString, "JSONPath of the record key (absent: no key)."));
  s.Add(Key("tls", ValueType::kObject, "TLS to the endpoint (verified unless turned off).")
            .Child(Key("ca_path", ValueType::kString,
                       "CA bundle (PEM) that signs the server's certificate; absent: the "
                       "system's trust store."))
            .Child(Key("verify", ValueType::kBool,
                       "Check the server's certificate and host name; false logs a warning.")
                       .Default("true")));
  return s;
}

Result<HttpPollConfig> HttpPollConfigFromBound(const config::BoundConfig& bound) {
  HttpPollConfig c;
  const std::string& where = bound.path();
  c.url = bound.GetString("url");
  const std::string scheme = c.url.substr(0, c.url.find("://"));
  if (c.url.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    return Status::InvalidArgument(where + ".url: '" + c.url + "' is not an http:// or https:// URL");
  }
  c.method = bound.GetString("method");
  c.headers = bound.GetStringMap("headers");
  c.body = bound.GetString("body");
  c.poll_interval = std::chrono::seconds(bound.GetInt("poll_interval_secs"));
  c.timeout = std::chrono::seconds(bound.GetInt("timeout_secs"));
  auto check_path = [&](const std::string& key, const std::string& path) -> Status {
    if (path.empty()) return Status::Ok();
    auto parsed = formats::JsonPath::Parse(path);
    if (!parsed.ok()) return parsed.status().WithContext(where + "." + key);
    return Status::Ok();
  };
  c.response_path = bound.GetString("response_path");
  RC_RETURN_IF_ERROR(check_path("response_path", c.response_path));

  const config::BoundConfig auth = bound.GetObject("auth");
  const std::string type = auth.GetString("type");
  c.auth.type = type == "bearer" ? AuthType::kBearer
                : type == "basic" ? AuthType::kBasic
                : type == "api_key" ? AuthType::kApiKey
                                    : AuthType::kNone;
  c.auth.token = auth.GetString("token");
  c.auth.username = auth.GetString("username");
  c.auth.password = auth.GetString("password");
  c.auth.key_name = auth.GetString("key_name");
  c.auth.key_value = auth.GetString("key_value");
  c.auth.key_in_query = auth.GetString("key_in") == "query";
  if (c.auth.type == AuthType::kBearer && c.auth.token.empty()) {
    return Status::InvalidArgument(where + ".auth.token: bearer authentication needs a token");
  }
  if (c.auth.type == AuthType::kBasic && c.auth.username.empty()) {
    return Status::InvalidArgument(where + ".auth.username: basic authentication needs a username");
  }
  if (c.auth.type == AuthType::kApiKey && c.auth.key_value.empty()) {
    return Status::InvalidArgument(where + ".auth.key_value: api_key authentication needs a key");
  }

  const config::BoundConfig pg = bound.GetObject("pagination");
  const std::string ptype = pg.GetString("type");
  c.pagination.type = ptype == "next_link" ? Pagination::kNextLink
                      : ptype == "link_header" ? Pagination::kLinkHeader
                      : ptype == "cursor" ? Pagination::kCursor
                      : ptype == "page" ? Pagination::kPage
                      : ptype == "offset" ? Pagination::kOffset
                                          : Pagination::kNone;
  c.pagination.next_path = pg.GetString("next_path");
  c.pagination.cursor_param = pg.GetString("cursor_param");
  c.pagination.page_param = pg.GetString("page_param");
  c.pagination.page_start = pg.GetInt("page_start");
  c.pagination.offset_param = pg.GetString("offset_param");
  c.pagination.limit_param = pg.GetString("limit_param");
  c.pagination.page_size = pg.GetInt("page_size");
  c.pagination.max_pages = pg.GetInt("max_pages");
  if ((c.pagination.type == Pagination::kNextLink || c.pagination.type == Pagination::kCursor) &&
      c.pagination.next_path.empty()) {
    return Status::InvalidArgument(where + ".pagination.next_path: " + ptype +
                                   " pagination needs the JSONPath of the next " +
                                   (ptype == "cursor" ? "cursor" : "URL"));
  }
  RC_RETURN_IF_ERROR(check_path("pagination.next_path", c.pagination.next_path));

  const config::BoundConfig inc = bound.GetObject("incremental");
  c.incremental.field = inc.GetString("field");
  c.incremental.param = inc.GetString("param");
  c.incremental.initial = inc.GetString("initial");
  if (c.incremental.field.empty() != c.incremental.param.empty()) {
    return Status::InvalidArgument(where + ".incremental: field and param go together");
  }
  RC_RETURN_IF_ERROR(check_path("incremental.field", c.incremental.field));
  c.etag = bound.GetBool("etag");
  c.dedup_path = bound.GetString("dedup_path");
  RC_RETURN_IF_ERROR(check_path("dedup_path", c.dedup_path));
  c.dedup_window = bound.GetInt("dedup_window");
  c.key_path = bound.GetString("key_path");
  RC_RETURN_IF_ERROR(check_path("key_path", c.key_path));
  const config::BoundConfig tls = bound.GetObject("tls");
  c.verify_tls = tls.GetBool("verify");
  c.ca_path = tls.GetString("ca_path");
  c.tls_owner = tls.path() + ".verify";
  return c;
}

}  // namespace rivven::http
