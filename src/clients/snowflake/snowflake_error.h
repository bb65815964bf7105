#pragma once

// Snowflake's error answers as Status values, one message format and one classification for the
// SQL API and Snowpipe Streaming, plus the retry plumbing both share (backoff, Retry-After,
// request ids). Docs:
//   https://docs.snowflake.com/en/developer-guide/sql-api/reference (response codes, error body)
//   https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests (requestId, retry)
//   https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api
// Messages never carry tokens, keys or query strings.

#include <chrono>
#include <random>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::snowflake {

/// The fields of an error body: the SQL API's {code, message, sqlState, statementHandle}, the
/// streaming API's {code, message} (missing fields empty; a body that is not JSON leaves all
/// empty except `message`, which gets its first 200 bytes).
struct ErrorBody {
  std::string code;
  std::string message;
  std::string sql_state;
  std::string statement_handle;
};
ErrorBody ParseErrorBody(std::string_view body);

/// 429, 500, 502, 503, 504: the request was not (or may be again) taken; worth repeating.
bool IsRetriableHttpStatus(long http_status);

/// The Status for a failed answer; `what` names the request ("SQL API POST /api/v2/statements").
/// 401 → kFailedPrecondition (authentication: key, user, account), 403 → kFailedPrecondition
/// (permissions of the user/role), 404 → kNotFound, 408 → kTimeout (retriable), 422 →
/// kInvalidArgument with Snowflake's code, SQL state and message, 429/5xx → kUnavailable
/// (retriable), other 4xx → kInvalidArgument. All but the retriable ones are fatal.
Status AnswerStatus(std::string_view what, long http_status, const ErrorBody& error);

/// A Retry-After header's delay (http::ParseRetryAfter), capped at 120 s.
std::optional<std::chrono::milliseconds> CappedRetryAfter(std::string_view value);

/// Exponential backoff, doubling from `initial` to `max`, with equal jitter (half fixed, half
/// random) so clients that failed together do not come back together.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  /// The delay after failed attempt number `attempt` (1-based).
  std::chrono::milliseconds Delay(int attempt);

 private:
  std::chrono::milliseconds initial_, max_;
  std::mt19937_64 rng_;
};

/// A random (version 4) UUID, lower-case: the SQL API's requestId.
std::string NewRequestId();

// ---- Snowpipe Streaming: "reopen the channel" ------------------------------------------------

/// Whether a streaming error code says the channel's continuation token no longer holds and the
/// channel must be reopened: STALE_CONTINUATION_TOKEN_SEQUENCER,
/// ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER, ERR_CHANNEL_HAS_INVALID_CLIENT_SEQUENCER,
/// ERR_CHANNEL_MUST_BE_REOPENED(_DUE_TO_ROW_SEQ_GAP), STALE_PIPE_CACHE, and any other code naming a
/// continuation token.
bool IsReopenChannelCode(std::string_view code);

/// The Status for such an answer: kFailedPrecondition, retriable (after a reopen), with a marker
/// IsStaleContinuation finds also after WithContext.
Status StaleContinuationStatus(std::string message);

/// True for the Status AppendRows returns when the continuation token is stale or invalid (the
/// caller reopens the channel, reads its last committed offset token and appends from there).
bool IsStaleContinuation(const Status& status);

}  // namespace rivven::snowflake
