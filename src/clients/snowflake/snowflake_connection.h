#pragma once

// Where and how the Snowflake clients (SQL API, Snowpipe Streaming) connect: one account, the
// user's session defaults, timeouts and retry bounds. Docs:
//   https://docs.snowflake.com/en/user-guide/admin-account-identifier (account URLs)
//   https://docs.snowflake.com/en/developer-guide/sql-api/reference

#include <chrono>
#include <string>

#include "base/status.h"

namespace rivven::snowflake {

struct SnowflakeConnection {
  std::string account;  ///< e.g. xy12345.us-east-1 or myorg-myaccount
  std::string
      base_url;  ///< empty: https://<account>.snowflakecomputing.com; tests: http://127.0.0.1:PORT
  std::string user, role, warehouse, database, schema;
  /// Each HTTP request, and the SQL statement timeout sent to Snowflake (whole seconds, >= 1).
  std::chrono::milliseconds timeout{60000};
  /// Attempts per request while Snowflake answers 429/5xx or the connection fails.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500}, max_backoff{30000};
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  ///< the tls.verify key, named in the warning when it is false
};

/// base_url without a trailing '/', or https://<account, lower-cased>.snowflakecomputing.com.
std::string AccountUrl(const SnowflakeConnection& connection);

/// Checks what every client needs: an account (or base_url), a user, an http(s) base_url,
/// max_attempts >= 1, 0 <= initial_backoff <= max_backoff, a positive timeout.
Status ValidateConnection(const SnowflakeConnection& connection);

/// SQL identifier quoting: "name" with inner quotes doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace rivven::snowflake
