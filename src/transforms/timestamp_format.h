#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::transforms {

/// A point in time in UTC: whole seconds since the Unix epoch plus nanoseconds (0..999,999,999,
/// also for instants before 1970), so every unix.precision round-trips without overflow.
struct Instant {
  int64_t seconds = 0;
  int32_t nanos = 0;

  static Instant FromMillis(int64_t ms);
  /// Floor division: -1 ms is 1969-12-31T23:59:59.999.
  int64_t ToMillis() const;
  friend bool operator==(const Instant&, const Instant&) = default;
};

/// A date/time pattern in Java SimpleDateFormat letters, the syntax Kafka Connect's
/// TimestampConverter and TimestampRouter users already write ("yyyy-MM-dd'T'HH:mm:ss.SSSX").
/// Always UTC, like Kafka Connect. Supported letters:
///   y   year (yy: two digits; parsing yy picks the century within 80 years before / 20 after now)
///   M   month (M, MM: number; MMM: Jan; MMMM: January)     d  day of month
///   H   hour 0-23    h  hour 1-12    a  AM/PM    m  minute    s  second
///   S   fraction of a second with as many digits as letters (SSS milliseconds, SSSSSS
///       microseconds, SSSSSSSSS nanoseconds; Java's DateTimeFormatter meaning)
///   E   day of week (E..EEE: Mon, EEEE: Monday; when parsing, a day name is required but not
///       checked against the date)
///   Z   offset +0000     X, XX, XXX  offset Z / +00, +0000, +00:00     z  zone name (UTC)
///   'text' literal text, '' a single quote; other non-letters are literal.
/// Parsing accepts any offset ("Z", "+02:00", "-0530") and converts to UTC; the whole input must
/// match (trailing text is an error, unlike SimpleDateFormat).
///
/// Compiled once from config; immutable, usable from any thread.
class TimestampFormat {
 public:
  /// Compiles `pattern`; an unknown pattern letter or an unterminated quote is an error.
  static Result<TimestampFormat> Compile(std::string_view pattern);

  std::string Format(const Instant& t) const;
  Result<Instant> Parse(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  struct Element {
    char letter = 0;  ///< 0 for literal text
    int count = 0;
    std::string literal;
  };
  std::string pattern_;
  std::vector<Element> elements_;
};

}  // namespace rivven::transforms
