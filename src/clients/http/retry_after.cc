#include "clients/http/retry_after.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <string>

namespace rivven::http {
namespace {

/// The longest delay we report (about 31 years): far beyond what any caller waits (they cap it),
/// and small enough that no arithmetic on it overflows.
constexpr int64_t kMaxSeconds = 999999999;

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) {
    if (value.size() > 9) return std::chrono::seconds(kMaxSeconds);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  // In seconds first: a date past the year 2262 does not fit the clock's nanoseconds.
  const int64_t at = timegm(&tm);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const int64_t now_s = now_ms.count() / 1000;
  if (at <= now_s - 1) return std::chrono::milliseconds(0);
  if (at - now_s > kMaxSeconds) return std::chrono::seconds(kMaxSeconds);
  const auto delay = std::chrono::milliseconds(at * 1000) - now_ms;
  return std::max(delay, std::chrono::milliseconds(0));
}

}  // namespace rivven::http
