// Docs followed: https://docs.snowflake.com/en/user-guide/admin-account-identifier (account URLs).
#include "clients/snowflake/snowflake_connection.h"

#include "base/ascii.h"

namespace rivven::snowflake {

std::string AccountUrl(const SnowflakeConnection& c) {
  if (!c.base_url.empty()) {
    std::string u = c.base_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  return "https://" + AsciiLower(c.account) + ".snowflakecomputing.com";
}

Status ValidateConnection(const SnowflakeConnection& c) {
  if (c.account.empty()) return Status::InvalidArgument("Snowflake: account is required");
  if (c.user.empty()) return Status::InvalidArgument("Snowflake: user is required");
  if (!c.base_url.empty() && !c.base_url.starts_with("https://") &&
      !c.base_url.starts_with("http://")) {
    return Status::InvalidArgument("Snowflake: base_url must start with https:// or http://");
  }
  if (c.max_attempts < 1) return Status::InvalidArgument("Snowflake: max_attempts must be >= 1");
  if (c.initial_backoff.count() < 0 || c.max_backoff < c.initial_backoff) {
    return Status::InvalidArgument("Snowflake: need 0 <= initial_backoff <= max_backoff");
  }
  if (c.timeout.count() <= 0) return Status::InvalidArgument("Snowflake: timeout must be > 0");
  return Status::Ok();
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace rivven::snowflake
