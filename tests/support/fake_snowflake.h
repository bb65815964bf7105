#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// FakeSnowflake: a local stand-in for Snowflake's SQL API and Snowpipe Streaming REST API, for the
// Snowflake sink's tests. Snowflake cannot run here, so the fake follows the published
// documentation and checks strictly what a client sends; a client that deviates from the docs
// fails against it. Pages followed (docs.snowflake.com/en/...):
//   developer-guide/sql-api/authenticating            key-pair JWT
//   developer-guide/sql-api/reference                 POST/GET /api/v2/statements, bodies, codes
//   developer-guide/sql-api/submitting-requests       bindings, requestId + retry=true
//   user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api   streaming
//   user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-tutorial (x-ndjson,
//       startOffsetToken/endOffsetToken of the newer page version)
//   user-guide/snowpipe-streaming/snowpipe-streaming-error-tables (ON_ERROR = CONTINUE)
//   user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-limitations (4 MB appends)
//   sql-reference/sql/merge (ERROR_ON_NONDETERMINISTIC_MERGE)
//
// One server serves both APIs on http://127.0.0.1:<port>; GET /v2/streaming/hostname answers
// "127.0.0.1:<port>" and clients reach that host with the scheme of the base URL (http here).
//
// Authentication. JWT endpoints (SQL API, hostname, /oauth/token) need `Authorization: Bearer
// <jwt>` and `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT`; the JWT must be RS256-signed by
// the configured key, header {"alg":"RS256","typ":"JWT"}, iss =
// "<ACCOUNT>.<USER>.SHA256:<base64 SHA-256 of the DER public key>", sub = "<ACCOUNT>.<USER>" with
// ACCOUNT and USER upper-case ('.' in the account as '-'), iat <= now + 60 s, exp > now,
// exp - iat <= 3600; iat and exp in seconds or milliseconds, as the page allows. Otherwise 401
// {"code": "390144", "message": "JWT token is invalid. <why>"}. The docs say Snowflake caps a
// longer lifetime at one hour; the fake refuses it instead, so a client that believes its token
// lives longer fails here. Streaming endpoints need `Authorization: Bearer <scoped token>` from
// POST /oauth/token (token type header absent or OAUTH); an expired or revoked one gets 401.
//
// SQL API. POST /api/v2/statements with Content-Type application/json (else 415), Accept naming
// application/json or */* and a User-Agent (else 400), a body of the documented fields only
// (statement required; timeout, database, schema, warehouse, role, bindings, parameters), else 400
// {"code": "390142"}. Bindings are {"1": {"type": T, "value": "text" | null}, ...}: keys 1..N, T
// one of FIXED REAL DECFLOAT TEXT BINARY BOOLEAN DATE TIME TIMESTAMP_TZ/LTZ/NTZ, N equal to the
// number of '?'; which types may meet which columns follows the page's table (e.g. a BINARY column
// takes TEXT hex, not a BINARY binding). requestId (optional) must be a UUID; a POST with a
// requestId that already succeeded and retry=true returns the earlier result without running the
// statement again (without retry=true it runs again, as documented). With Options::
// async_statements or ?async=true the POST answers 202 {"code": "333334", "statementHandle",
// "statementStatusUrl"} and GET /api/v2/statements/{handle} answers 202 async_pending_polls times,
// then 200 (ResultSet) or 422. Results: ResultSet {resultSetMetaData {numRows, format "jsonv2",
// rowType [{name, database, schema, table, type, scale, precision, length, byteLength, nullable,
// collation}], partitionInfo [{rowCount, uncompressedSize}]}, data (arrays of strings or null),
// code "090001", sqlState "00000", statementStatusUrl, requestId, statementHandle, message,
// createdOn, stats for DML}. Failures: 422 {code, message, sqlState, statementHandle, createdOn,
// statementStatusUrl}. One statement per request ("000008" otherwise).
//
// SQL subset (keywords case-insensitive; unquoted identifiers upper-cased, "quoted" verbatim;
// names may be table, schema.table or db.schema.table, resolved against the body's database and
// schema fields, which are case-sensitive; 090105/090106 when a part is missing):
//   CREATE [OR REPLACE] TABLE [IF NOT EXISTS] <name> (<col> <type> [NOT NULL] [PRIMARY KEY], ...
//       [, PRIMARY KEY (<cols>)])   types: NUMBER[(p[,s])] DECIMAL NUMERIC INT INTEGER BIGINT
//       SMALLINT TINYINT BYTEINT, FLOAT FLOAT4 FLOAT8 DOUBLE REAL, VARCHAR[(n)] STRING TEXT,
//       BINARY[(n)] VARBINARY, BOOLEAN, DATE, TIME[(p)], TIMESTAMP[(p)] (= NTZ) DATETIME
//       TIMESTAMP_NTZ/LTZ/TZ[(p)], VARIANT OBJECT ARRAY
//   DESCRIBE|DESC TABLE <name>     rows: name, type ("NUMBER(38,0)", "VARCHAR(16777216)"...), kind,
//                                   null?, default, primary key, unique key, check, expression,
//                                   comment, policy name, privacy domain
//   SELECT COUNT(*) FROM <name>
//   INSERT INTO <name> [(<cols>)] VALUES (<e>, ...)[, (...)]     e: ?, 'text', number, TRUE,
//       FALSE, NULL. A VARIANT/OBJECT/ARRAY column takes no text here (002023, as Snowflake), and
//       PARSE_JSON is not allowed in VALUES (002014): use the SELECT form:
//   INSERT INTO <name> [(<cols>)] SELECT <p>, ... FROM VALUES (...), ... [AS v[(<names>)]]
//       p: COLUMN<n> | $<n> | v.<name> | PARSE_JSON(<one of those>) | e, each [[AS] alias], or *
//   MERGE INTO <target> [[AS] t] USING (SELECT ... FROM VALUES ...) [[AS] s]
//       ON t.<k> = s.<k> [AND ...]
//       WHEN MATCHED [AND <pred> ...] THEN DELETE | UPDATE SET [t.]<col> = <x>, ...
//       WHEN NOT MATCHED [AND <pred> ...] THEN INSERT [(<cols>)] VALUES (<x>, ...)
//     (clauses in any number and order; the first whose predicates hold acts). Source columns are
//     named as in the SELECT form above (COLUMN<n> unless aliased); <x>: s.<col>, t.<col>, e,
//     PARSE_JSON(<x>); <pred>: <x> = | <> | != <x>, or <x> IS [NOT] NULL, NULL comparing as not
//     true. A target row joined by several source rows that would update it twice or update and
//     delete it fails with 100090 "Duplicate row detected during DML action" (Snowflake's
//     ERROR_ON_NONDETERMINISTIC_MERGE default); source rows with a key no target row has are each
//     inserted, duplicates included, as Snowflake does.
//   Anything else: 422 {"code": "001003", "sqlState": "42000", "SQL compilation error: ..."}.
//   A missing table: 422 002003 / 42S02 "Object 'X' does not exist or not authorized."
// Stored values are JSON text: NUMBER(p,s) canonical ("42", "1.50"), FLOAT shortest, VARCHAR and
// the date/time types as JSON strings (TEXT as sent; epoch bindings as "YYYY-MM-DD HH:MI:SS.
// fffffffff" UTC), BOOLEAN true/false, BINARY upper-case hex strings, VARIANT compact JSON.
//
// Snowpipe Streaming. GET /v2/streaming/hostname -> {"hostname"}; POST /oauth/token (form:
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, scope=<hostname>) -> {"token"};
// PUT/DELETE /v2/streaming/databases/{db}/schemas/{schema}/pipes/{pipe}/channels/{channel};
// POST /v2/streaming/data/databases/.../channels/{channel}/rows?continuationToken=..
//   [&offsetToken=.. | &startOffsetToken=..&endOffsetToken=..][&requestId=<uuid>];
// POST /v2/streaming/databases/{db}/schemas/{schema}/pipes/{pipe}:bulk-channel-status.
// Only default pipes exist: "<TABLE>-STREAMING" writes to table <TABLE> of that database and
// schema (names in URIs case-insensitive; channel names stored upper-case, and bulk status, whose
// names the page calls case-sensitive, matches them exactly). Reopening a channel bumps its client
// sequencer: any earlier continuation token then gets 400 {"code":
// "STALE_CONTINUATION_TOKEN_SEQUENCER"}, as does a token already used for an append. Appends:
// Content-Type application/x-ndjson, body <= 4 MiB as sent (413 otherwise; 16 MiB for other
// streaming requests), Content-Encoding gzip or zstd (others 415), every line one JSON object
// followed by \n
// (\r\n allowed), else 400. Rows go to the table by column name (case-insensitive for columns
// created unquoted); as the high-performance architecture runs ON_ERROR = CONTINUE, a row with an
// unknown column or a value its column does not take is skipped and counted (rows_error_count on
// open, rows_errors in bulk status, last_error_message, last_error_offset_upper_bound) while the
// append still answers 200. The append's offset token (offsetToken, or endOffsetToken) becomes the
// channel's last_committed_offset_token at once, unless SetCommitDelayed(true) holds commits
// until CommitPending(). Error bodies are {"code", "message"}.
namespace rivven::testing {

namespace fake_snowflake {
class SqlEngine;
}

/// The fake. Owned by the test; serves from Start until destruction on cpp-httplib's threads,
/// which handle requests concurrently under one lock. Everything it stores lives in memory only.
/// The inspection and fault-injection methods may be called from any thread.
class FakeSnowflake {
 public:
  struct Options {
    std::string account = "TESTORG-TESTACCT";
    std::string user = "RIVVEN";
    std::string public_key_pem;     ///< the user's RSA public key (PEM, "BEGIN PUBLIC KEY")
    bool async_statements = false;  ///< answer every POST /api/v2/statements with 202 first
    int async_pending_polls = 0;    ///< GETs answered 202 before the result
    int scoped_token_ttl_seconds = 3600;
  };

  enum class Endpoint {
    kSqlStatements,  ///< POST /api/v2/statements and GET /api/v2/statements/{handle}
    kHostname,
    kOauthToken,
    kOpenChannel,
    kAppendRows,
    kChannelStatus,
    kDropChannel,
  };

  /// A table as stored: columns (name, DESCRIBE type) and rows (column -> JSON text or null).
  struct TableSnapshot {
    std::vector<std::pair<std::string, std::string>> columns;
    std::vector<std::map<std::string, std::optional<std::string>>> rows;
  };

  /// A channel's counters as bulk channel status reports them.
  struct ChannelState {
    std::optional<std::string> committed_offset_token;
    int64_t rows_inserted = 0, rows_parsed = 0, rows_errors = 0;
    std::optional<std::string> last_error_message;
    int64_t client_sequencer = 0;
  };

  /// Listens on a free loopback port. Null with `*error` set when the public key does not parse
  /// or the server does not start.
  static std::unique_ptr<FakeSnowflake> Start(Options options, std::string* error);
  ~FakeSnowflake();
  FakeSnowflake(const FakeSnowflake&) = delete;
  FakeSnowflake& operator=(const FakeSnowflake&) = delete;

  std::string base_url() const;  ///< http://127.0.0.1:<port>
  std::string hostname() const;  ///< 127.0.0.1:<port>, what GET /v2/streaming/hostname answers

  /// The next `count` requests to `endpoint` get `http_status` with an error body (and a
  /// Retry-After header when retry_after_seconds >= 0) and change nothing.
  void FailNext(Endpoint endpoint, int http_status, int count, int retry_after_seconds = -1);
  /// The next request to `endpoint` is applied, then its connection is closed without a response:
  /// the client sees a transport error while the change (rows, statement) is stored.
  void LoseNextResponse(Endpoint endpoint);
  /// Requests received by `endpoint`, failed ones included.
  int RequestCount(Endpoint endpoint) const;
  /// Scoped tokens issued so far stop working: revoked (401), or expired (401), for re-exchange.
  void RevokeScopedTokens();
  void ExpireScopedTokens();
  /// Appends are applied to their table and commit their offset token only at CommitPending().
  void SetCommitDelayed(bool delayed);
  void CommitPending();

  /// Runs `sql` as the SQL API would (no HTTP, no auth): for a test's setup. False with `*error`.
  bool ExecuteSql(const std::string& sql, const std::string& database, const std::string& schema,
                  std::string* error);
  /// Every statement text received by POST /api/v2/statements, in order.
  std::vector<std::string> Statements() const;
  /// Statements answered 422, with their messages.
  std::vector<std::pair<std::string, std::string>> RejectedStatements() const;
  /// The table named "DB.SCHEMA.TABLE" as stored, or by its table name alone when only one table
  /// has it.
  std::optional<TableSnapshot> Table(const std::string& name) const;
  /// The channel of the pipe (any database and schema; names as in URIs, case-insensitive).
  std::optional<ChannelState> Channel(const std::string& pipe, const std::string& channel) const;
  std::optional<std::string> CommittedOffsetToken(const std::string& pipe,
                                                  const std::string& channel) const;

  struct State;  ///< internal: tests/support/fake_snowflake_state.h

 private:
  FakeSnowflake();
  std::unique_ptr<State> state_;
};

}  // namespace rivven::testing
