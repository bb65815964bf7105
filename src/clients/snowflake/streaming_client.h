#pragma once

// Snowpipe Streaming's REST API (high-performance architecture): channels on a pipe, rows
// appended as NDJSON after a continuation token and tagged with an offset token, committed
// offset tokens read back. Docs:
//   https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api
//   https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-overview
// Authentication: the account's key-pair JWT is exchanged (POST /oauth/token) for a token scoped
// to the account's streaming host (GET /v2/streaming/hostname); only that token goes to the host.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "clients/snowflake/snowflake_connection.h"
#include "clients/snowflake/snowflake_error.h"

namespace rivven::http {
class HttpClient;
struct Response;
}  // namespace rivven::http

namespace rivven::snowflake {

class KeyPairJwt;

/// The default pipe Snowflake provides for a table in the high-performance architecture:
/// `<TABLE>-STREAMING` (the table name as given, e.g. ORDERS → ORDERS-STREAMING).
std::string DefaultPipeName(const std::string& table);

struct ChannelState {
  std::string continuation_token;                          ///< for the next AppendRows
  std::optional<std::string> last_committed_offset_token;  ///< nullopt for a new channel
};

/// A Snowpipe Streaming client for one account. Owns two kept-alive HTTP connections (account
/// host, streaming host); borrows the KeyPairJwt (which must outlive it). Thread: one thread at a
/// time. Durability: AppendRows returning OK means Snowflake took the rows, not that they are in
/// the table; they are durable once CommittedOffsetToken reports their offset token (or a later
/// one).
class StreamingClient {
 public:
  static Result<std::unique_ptr<StreamingClient>> Create(SnowflakeConnection connection,
                                                         KeyPairJwt* jwt);
  ~StreamingClient();
  StreamingClient(const StreamingClient&) = delete;
  StreamingClient& operator=(const StreamingClient&) = delete;

  /// Hostname discovery and the scoped-token exchange happen on first use, and again when the
  /// scoped token is older than kScopedTokenMaxAge or a 401 says it is no longer good (once per
  /// call). The streaming host is reached with the scheme of base_url (https normally).

  /// Opens (or reopens: the server bumps the channel's client sequencer, which makes older
  /// continuation tokens stale) a channel. PUT .../pipes/{pipe}/channels/{channel} with `{}`.
  Result<ChannelState> OpenChannel(const std::string& database, const std::string& schema,
                                   const std::string& pipe, const std::string& channel);

  /// Appends NDJSON rows (one JSON object per line) after `continuation_token`, tagged with
  /// `offset_token`; returns the next continuation token. POST .../rows?continuationToken=..
  /// &offsetToken=.. with Content-Type application/x-ndjson. A stale or invalid continuation
  /// token (or any answer saying the channel must be reopened) is kFailedPrecondition, retriable,
  /// with IsStaleContinuation(status) true: reopen the channel and append what is above its last
  /// committed offset token. 429/5xx and transport failures are resent with the same continuation
  /// token: if the first attempt did go through, the resend is refused as stale, never applied
  /// twice.
  Result<std::string> AppendRows(const std::string& database, const std::string& schema,
                                 const std::string& pipe, const std::string& channel,
                                 const std::string& continuation_token,
                                 const std::string& offset_token, std::string_view ndjson);

  /// The channel's last committed offset token (bulk channel status), nullopt when none yet (or
  /// when the answer does not list the channel).
  Result<std::optional<std::string>> CommittedOffsetToken(const std::string& database,
                                                          const std::string& schema,
                                                          const std::string& pipe,
                                                          const std::string& channel);

  /// DELETE .../channels/{channel}. A channel that does not exist is kNotFound.
  Status DropChannel(const std::string& database, const std::string& schema,
                     const std::string& pipe, const std::string& channel);

  /// A scoped token older than this is exchanged again before use (the docs give no lifetime;
  /// the JWT it comes from lives an hour).
  static constexpr std::chrono::minutes kScopedTokenMaxAge{30};

  uint64_t requests() const { return requests_; }          ///< HTTP requests, retries included
  uint64_t token_exchanges() const { return exchanges_; }  ///< hostname + token round trips

 private:
  struct Call;
  StreamingClient(SnowflakeConnection connection, KeyPairJwt* jwt);
  Status EnsureScopedToken();
  /// Sends `call` to the streaming host with the scoped token, retrying retriable failures and
  /// re-exchanging the token once on a 401. 2xx answers come back as the Response.
  Result<http::Response> Ingest(const Call& call);
  /// A request to the account host with the JWT, retried like Ingest.
  Result<http::Response> Control(const std::string& method, const std::string& path,
                                 const std::string& content_type, const std::string& body);
  void SleepBeforeRetry(int attempt, const Status& failure,
                        std::optional<std::chrono::milliseconds> retry_after);

  SnowflakeConnection connection_;
  KeyPairJwt* jwt_;
  std::string base_url_;
  std::string scheme_;  // "https" or "http", from base_url_
  std::unique_ptr<http::HttpClient> control_http_, ingest_http_;
  Backoff backoff_;
  std::string hostname_, scoped_token_;
  std::chrono::steady_clock::time_point token_time_{};
  uint64_t requests_ = 0;
  uint64_t exchanges_ = 0;
};

}  // namespace rivven::snowflake
