// Docs followed: https://docs.snowflake.com/en/developer-guide/sql-api/reference (response codes
// and the error body), https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests
// (requestId),
// https://docs.snowflake.com/en/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api
#include "clients/snowflake/snowflake_error.h"

#include <openssl/rand.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "clients/http/backoff.h"
#include "clients/http/retry_after.h"

namespace rivven::snowflake {
namespace {

constexpr char kStaleMarker[] = "reopen the channel";
constexpr std::chrono::milliseconds kMaxRetryAfter{120000};

std::string StringField(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return "";
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return "";
}

}  // namespace

ErrorBody ParseErrorBody(std::string_view body) {
  ErrorBody e;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    std::string_view b = body.substr(0, 200);
    while (!b.empty() && (b.back() == '\n' || b.back() == '\r' || b.back() == ' ')) {
      b.remove_suffix(1);
    }
    e.message = std::string(b);
    return e;
  }
  e.code = StringField(doc, "code");
  e.message = StringField(doc, "message");
  e.sql_state = StringField(doc, "sqlState");
  e.statement_handle = StringField(doc, "statementHandle");
  return e;
}

bool IsRetriableHttpStatus(long s) {
  return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

Status AnswerStatus(std::string_view what, long http_status, const ErrorBody& error) {
  std::string text = "Snowflake " + std::string(what) + ": HTTP " + std::to_string(http_status);
  if (!error.code.empty()) text += ", code " + error.code;
  if (!error.sql_state.empty()) text += " (SQL state " + error.sql_state + ")";
  if (!error.message.empty()) text += ": " + error.message;
  if (!error.statement_handle.empty()) text += " (statement " + error.statement_handle + ")";
  if (IsRetriableHttpStatus(http_status)) return Status::Unavailable(std::move(text));
  switch (http_status) {
    case 401:
      return Status::FailedPrecondition(
          text +
          "; authentication failed: check account and user, and that the user's "
          "RSA_PUBLIC_KEY matches the private key");
    case 403:
      return Status::FailedPrecondition(
          text + "; permission denied: the user or role lacks a privilege this needs");
    case 404:
      return Status::NotFound(std::move(text));
    case 408:
      return Status::Timeout(std::move(text));
    default:
      return Status::InvalidArgument(std::move(text));
  }
}

std::optional<std::chrono::milliseconds> CappedRetryAfter(std::string_view value) {
  auto delay = http::ParseRetryAfter(value);
  if (delay) delay = std::min(*delay, kMaxRetryAfter);
  return delay;
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(initial), max_(max), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::Delay(int attempt) {
  return http::BackoffDelay(attempt, initial_, max_, rng_);
}

std::string NewRequestId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
  return out;
}

bool IsReopenChannelCode(std::string_view code) {
  return code == "STALE_CONTINUATION_TOKEN_SEQUENCER" ||
         code == "ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER" ||
         code == "ERR_CHANNEL_HAS_INVALID_CLIENT_SEQUENCER" ||
         code == "ERR_CHANNEL_MUST_BE_REOPENED" ||
         code == "ERR_CHANNEL_MUST_BE_REOPENED_DUE_TO_ROW_SEQ_GAP" || code == "STALE_PIPE_CACHE" ||
         code.find("CONTINUATION_TOKEN") != std::string_view::npos;
}

Status StaleContinuationStatus(std::string message) {
  return Status::Error(StatusCode::kFailedPrecondition,
                       std::move(message) + "; " + kStaleMarker +
                           " and append from its last "
                           "committed offset token",
                       Disposition::kRetriable);
}

bool IsStaleContinuation(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition && status.retriable() &&
         status.message().find(kStaleMarker) != std::string::npos;
}

}  // namespace rivven::snowflake
