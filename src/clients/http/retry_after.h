#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace rivven::http {

/// A Retry-After header (RFC 9110 §10.2.3) as a delay: delta-seconds ("120") or an HTTP-date
/// ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `now`; a date in the past is 0). nullopt when
/// unparseable. Callers cap the delay to what they are willing to wait.
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace rivven::http
