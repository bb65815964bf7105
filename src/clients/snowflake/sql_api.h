#pragma once

// Snowflake's SQL API (POST /api/v2/statements) with key-pair JWT authentication: one statement
// per request, `?` bindings, 202 polling, every result partition read. Docs:
//   https://docs.snowflake.com/en/developer-guide/sql-api/reference
//   https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests
//   https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/snowflake/snowflake_connection.h"
#include "clients/snowflake/snowflake_error.h"

namespace rivven::http {
class HttpClient;
struct Response;
}  // namespace rivven::http

namespace rivven::snowflake {

class KeyPairJwt;

/// One `?` value: type TEXT, FIXED, REAL, BOOLEAN, DATE, TIME, TIMESTAMP_LTZ/NTZ/TZ, BINARY;
/// value as Snowflake's text form, nullopt for SQL NULL.
struct Binding {
  std::string type;
  std::optional<std::string> value;
};

struct StatementResult {
  std::string statement_handle;
  std::vector<std::string> column_names;
  std::vector<std::vector<std::optional<std::string>>> rows;  ///< all partitions, in order
  /// numRowsInserted + numRowsUpdated + numRowsDeleted from the result's stats when given, else -1.
  int64_t rows_affected = -1;
};

/// A SQL API session for one account and user. Owns one kept-alive HTTP connection; borrows the
/// KeyPairJwt (which must outlive it). Thread: one thread at a time. Durability: a DML statement
/// is committed once Execute returns OK (the SQL API runs each request in its own autocommit
/// transaction).
class SqlApi {
 public:
  static Result<std::unique_ptr<SqlApi>> Create(SnowflakeConnection connection, KeyPairJwt* jwt);
  ~SqlApi();
  SqlApi(const SqlApi&) = delete;
  SqlApi& operator=(const SqlApi&) = delete;

  /// Runs one statement with `?` bindings ("1", "2", ... in order). Retries 429/5xx and
  /// transport failures with backoff (Retry-After honoured), resending with the same requestId
  /// and retry=true so Snowflake runs the statement at most once; polls a 202 until the result
  /// is there; reads every partition. Errors: 422 → kInvalidArgument with Snowflake's code, SQL
  /// state and message; 401/403 → kFailedPrecondition naming authentication/permissions; 408
  /// (statement timeout) → kTimeout; after max_attempts → kUnavailable (retriable).
  Result<StatementResult> Execute(const std::string& sql,
                                  const std::vector<Binding>& bindings = {});

  /// The JSON body Execute sends (for tests and logs; carries the bound values).
  std::string RequestBody(const std::string& sql, const std::vector<Binding>& bindings) const;

  uint64_t requests() const { return requests_; }  ///< HTTP requests sent, polls included

 private:
  SqlApi(SnowflakeConnection connection, KeyPairJwt* jwt);
  /// GET/POST with auth headers, retrying retriable failures. A 2xx answer (200 or 202) comes
  /// back as the Response; anything else as a Status.
  /// `resend_url` is used from the second attempt on (the statement POST adds retry=true).
  Result<http::Response> Call(const std::string& method, const std::string& url,
                              const std::string& resend_url, const std::string& body,
                              const std::string& what);
  Result<StatementResult> Await(const std::string& handle);
  Result<StatementResult> ReadResult(const http::Response& response);
  Result<std::string> Decoded(const http::Response& response) const;

  SnowflakeConnection connection_;
  KeyPairJwt* jwt_;
  std::string base_url_;
  std::unique_ptr<http::HttpClient> http_;
  Backoff backoff_;
  uint64_t requests_ = 0;
};

}  // namespace rivven::snowflake
