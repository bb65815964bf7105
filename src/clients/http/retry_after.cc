#include "clients/http/retry_after.h"

#include <cctype>
#include <ctime>
#include <string>

namespace rivven::http {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) {
    if (value.size() > 9) return std::chrono::milliseconds(999999999LL * 1000);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

}  // namespace rivven::http
