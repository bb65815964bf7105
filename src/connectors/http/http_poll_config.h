#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::http {

enum class AuthType { kNone, kBearer, kBasic, kApiKey };
enum class Pagination { kNone, kNextLink, kLinkHeader, kCursor, kPage, kOffset };

/// The typed `config:` block of the http-poll source.
struct HttpPollConfig {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds poll_interval{60000};
  std::string response_path = "$";  ///< JSONPath selecting the records of a response
  std::chrono::milliseconds timeout{30000};
  struct Auth {
    AuthType type = AuthType::kNone;
    std::string token;               ///< bearer
    std::string username, password;  ///< basic
    std::string key_name, key_value; ///< api_key
    bool key_in_query = false;       ///< api_key: a query parameter instead of a header
  } auth;
  struct Paging {
    Pagination type = Pagination::kNone;
    std::string next_path;     ///< next_link: JSONPath of the next URL; cursor: of the token
    std::string cursor_param = "cursor";
    std::string page_param = "page";
    int64_t page_start = 1;
    std::string offset_param = "offset";
    std::string limit_param;   ///< page/offset: also sent, = page_size, when set
    int64_t page_size = 0;     ///< page/offset: a page shorter than this is the last
    int64_t max_pages = 1000;  ///< per poll, a bound against endless pagination
  } pagination;
  struct Incremental {
    std::string field;  ///< JSONPath into a record; empty: off
    std::string param;  ///< query parameter that carries the last value
    std::string initial;
  } incremental;
  bool etag = true;        ///< send If-None-Match with the last ETag; 304 means nothing new
  std::string dedup_path;  ///< JSONPath of a record's unique id; empty: off
  int64_t dedup_window = 10000;  ///< ids remembered (and checkpointed)
  std::string key_path;    ///< JSONPath of the record key; empty: no key
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  ///< the tls.verify key, named in the warning when it is false
};

config::Schema HttpPollSchema();
Result<HttpPollConfig> HttpPollConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::http
