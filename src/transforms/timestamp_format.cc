#include "transforms/timestamp_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>

#include "base/clock.h"

namespace rivven::transforms {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                   "Thursday", "Friday", "Saturday"};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (m <= 2), m, d};
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr std::array<int, 12> kDaysIn = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDaysIn[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void AppendPadded(std::string& out, int64_t v, int width) {
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  const std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out.push_back('0');
  out += digits;
}

bool IsNumericElement(char letter, int count) {
  switch (letter) {
    case 'y':
    case 'd':
    case 'H':
    case 'h':
    case 'm':
    case 's':
    case 'S':
      return true;
    case 'M':
      return count <= 2;
    default:
      return false;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Matches one of `names` (full or three-letter form) at the start of `in`; returns its index.
template <size_t N>
std::optional<int> MatchName(std::string_view& in, const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    for (std::string_view form : {names[i], names[i].substr(0, 3)}) {
      if (in.size() >= form.size() && EqualsIgnoreCase(in.substr(0, form.size()), form)) {
        in.remove_prefix(form.size());
        return static_cast<int>(i);
      }
    }
  }
  return std::nullopt;
}

// Reads 1..max_digits digits; `digits` gets how many were read.
std::optional<int64_t> ReadNumber(std::string_view& in, int max_digits, int* digits) {
  int64_t v = 0;
  int n = 0;
  while (n < max_digits && n < static_cast<int>(in.size()) &&
         std::isdigit(static_cast<unsigned char>(in[n]))) {
    if (v < 100'000'000'000'000'000) v = v * 10 + (in[n] - '0');  // longer inputs fail ranges
    ++n;
  }
  if (n == 0) return std::nullopt;
  in.remove_prefix(n);
  *digits = n;
  return v;
}

// "Z", "+hh", "+hhmm" or "+hh:mm" (also "UTC"/"GMT" for z); the offset in seconds east of UTC.
std::optional<int64_t> ReadOffset(std::string_view& in, bool names) {
  if (names) {
    for (std::string_view name : {"UTC", "GMT"}) {
      if (in.substr(0, 3) == name) {
        in.remove_prefix(3);
        if (in.empty() || (in[0] != '+' && in[0] != '-')) return 0;
      }
    }
  }
  if (!in.empty() && in[0] == 'Z') {
    in.remove_prefix(1);
    return 0;
  }
  if (in.empty() || (in[0] != '+' && in[0] != '-')) return std::nullopt;
  const int sign = in[0] == '-' ? -1 : 1;
  in.remove_prefix(1);
  int digits = 0;
  const auto hours = ReadNumber(in, 2, &digits);
  if (!hours || digits != 2 || *hours > 23) return std::nullopt;
  int64_t minutes = 0;
  if (!in.empty() && in[0] == ':') in.remove_prefix(1);
  if (!in.empty() && std::isdigit(static_cast<unsigned char>(in[0]))) {
    const auto m = ReadNumber(in, 2, &digits);
    if (!m || digits != 2 || *m > 59) return std::nullopt;
    minutes = *m;
  }
  return sign * (*hours * 3600 + minutes * 60);
}

}  // namespace

Instant Instant::FromMillis(int64_t ms) {
  const int64_t s = FloorDiv(ms, 1000);
  return Instant{s, static_cast<int32_t>((ms - s * 1000) * 1'000'000)};
}

int64_t Instant::ToMillis() const { return seconds * 1000 + nanos / 1'000'000; }

Result<TimestampFormat> TimestampFormat::Compile(std::string_view pattern) {
  TimestampFormat f;
  f.pattern_ = std::string(pattern);
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      // 'text' is literal; '' is one quote, inside or outside quoted text.
      std::string text;
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '\'') {
        text = "'";
        j += 1;
      } else {
        for (;; ++j) {
          if (j >= pattern.size()) {
            return Status::InvalidArgument("unterminated quote in date pattern '" + f.pattern_ +
                                           "'");
          }
          if (pattern[j] == '\'') {
            if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
              text.push_back('\'');
              ++j;
              continue;
            }
            ++j;
            break;
          }
          text.push_back(pattern[j]);
        }
      }
      f.elements_.push_back(Element{0, 0, std::move(text)});
      i = j;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      if (std::string_view("yMdHhmsSEaZXz").find(c) == std::string_view::npos) {
        return Status::InvalidArgument("unsupported letter '" + std::string(1, c) +
                                       "' in date pattern '" + f.pattern_ +
                                       "' (supported: y M d H h m s S E a Z X z; quote literal "
                                       "text as 'T')");
      }
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      const int count = static_cast<int>(j - i);
      if (c == 'X' && count > 3) {
        return Status::InvalidArgument("too many pattern letters X in date pattern '" + f.pattern_ +
                                       "' (X, XX or XXX)");
      }
      f.elements_.push_back(Element{c, count, {}});
      i = j;
      continue;
    }
    if (!f.elements_.empty() && f.elements_.back().letter == 0) {
      f.elements_.back().literal.push_back(c);
    } else {
      f.elements_.push_back(Element{0, 0, std::string(1, c)});
    }
    ++i;
  }
  return f;
}

std::string TimestampFormat::Format(const Instant& t) const {
  const int64_t days = FloorDiv(t.seconds, kSecondsPerDay);
  const int64_t secs_of_day = t.seconds - days * kSecondsPerDay;
  const Civil date = CivilFromDays(days);
  const int hour = static_cast<int>(secs_of_day / 3600);
  std::string out;
  for (const Element& e : elements_) {
    switch (e.letter) {
      case 0:
        out += e.literal;
        break;
      case 'y':
        if (e.count == 2) {
          AppendPadded(out, ((date.year % 100) + 100) % 100, 2);
        } else {
          AppendPadded(out, date.year, e.count);
        }
        break;
      case 'M':
        if (e.count >= 4) {
          out += kMonths[date.month - 1];
        } else if (e.count == 3) {
          out += kMonths[date.month - 1].substr(0, 3);
        } else {
          AppendPadded(out, date.month, e.count);
        }
        break;
      case 'd':
        AppendPadded(out, date.day, e.count);
        break;
      case 'H':
        AppendPadded(out, hour, e.count);
        break;
      case 'h':
        AppendPadded(out, hour % 12 == 0 ? 12 : hour % 12, e.count);
        break;
      case 'a':
        out += hour < 12 ? "AM" : "PM";
        break;
      case 'm':
        AppendPadded(out, (secs_of_day / 60) % 60, e.count);
        break;
      case 's':
        AppendPadded(out, secs_of_day % 60, e.count);
        break;
      case 'S': {
        std::string nanos;
        AppendPadded(nanos, t.nanos, 9);
        if (e.count <= 9) {
          out += nanos.substr(0, e.count);
        } else {
          out += nanos;
          out.append(e.count - 9, '0');
        }
        break;
      }
      case 'E': {
        const std::string_view name = kDays[static_cast<size_t>(((days % 7) + 11) % 7)];
        out += e.count >= 4 ? name : name.substr(0, 3);
        break;
      }
      case 'Z':
        out += "+0000";
        break;
      case 'X':
        out += "Z";
        break;
      case 'z':
        out += "UTC";
        break;
    }
  }
  return out;
}

Result<Instant> TimestampFormat::Parse(std::string_view text) const {
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("'" + std::string(text) + "' does not match the date pattern '" +
                                   pattern_ + "': " + std::string(why));
  };
  std::string_view in = text;
  int64_t year = 1970, offset = 0;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0;
  bool twelve_hour = false, pm = false;
  for (size_t i = 0; i < elements_.size(); ++i) {
    const Element& e = elements_[i];
    if (e.letter == 0) {
      if (in.substr(0, e.literal.size()) != e.literal) {
        return fail("expected '" + e.literal + "' at '" + std::string(in) + "'");
      }
      in.remove_prefix(e.literal.size());
      continue;
    }
    if (IsNumericElement(e.letter, e.count)) {
      // Next to another number ("yyyyMMdd") a field takes exactly as many digits as letters;
      // otherwise it takes every digit there is, like SimpleDateFormat.
      const bool adjacent = i + 1 < elements_.size() && elements_[i + 1].letter != 0 &&
                            IsNumericElement(elements_[i + 1].letter, elements_[i + 1].count);
      const int max_digits = adjacent ? e.count : 18;
      int digits = 0;
      const auto v = ReadNumber(in, max_digits, &digits);
      if (!v) return fail(std::string("expected digits for '") + e.letter + "'");
      switch (e.letter) {
        case 'y':
          year = *v;
          if (e.count <= 2 && digits == 2) {
            // SimpleDateFormat: the century that puts the year within 80 years before and 20
            // years after now.
            const int64_t now_year = CivilFromDays(FloorDiv(NowMs() / 1000, kSecondsPerDay)).year;
            const int64_t start = now_year - 80;
            year = start - ((start % 100) + 100) % 100 + *v;
            if (year < start) year += 100;
          }
          break;
        case 'M':
          month = static_cast<int>(std::min<int64_t>(*v, 99));
          break;
        case 'd':
          day = static_cast<int>(std::min<int64_t>(*v, 99));
          break;
        case 'H':
          hour = static_cast<int>(std::min<int64_t>(*v, 99));
          break;
        case 'h':
          hour = static_cast<int>(std::min<int64_t>(*v, 99));
          twelve_hour = true;
          break;
        case 'm':
          minute = static_cast<int>(std::min<int64_t>(*v, 99));
          break;
        case 's':
          second = static_cast<int>(std::min<int64_t>(*v, 99));
          break;
        case 'S': {
          // A fraction: "5" is 0.5 s, "123456" is 123456 us; digits past nanoseconds are cut.
          int64_t f = *v;
          int n = digits;
          for (; n > 9; --n) f /= 10;
          for (; n < 9; ++n) f *= 10;
          nanos = static_cast<int>(f);
          break;
        }
      }
      continue;
    }
    switch (e.letter) {
      case 'M': {
        const auto m = MatchName(in, kMonths);
        if (!m) return fail("expected a month name");
        month = *m + 1;
        break;
      }
      case 'E':
        if (!MatchName(in, kDays)) return fail("expected a day name");
        break;
      case 'a':
        if (in.size() >= 2 && EqualsIgnoreCase(in.substr(0, 2), "AM")) {
          pm = false;
        } else if (in.size() >= 2 && EqualsIgnoreCase(in.substr(0, 2), "PM")) {
          pm = true;
        } else {
          return fail("expected AM or PM");
        }
        in.remove_prefix(2);
        break;
      case 'Z':
      case 'X':
      case 'z': {
        const auto o = ReadOffset(in, e.letter != 'X');
        if (!o) return fail("expected a UTC offset such as Z, +02:00 or -0530");
        offset = *o;
        break;
      }
    }
  }
  if (!in.empty()) return fail("unexpected '" + std::string(in) + "' at the end");
  if (twelve_hour) {
    if (hour < 1 || hour > 12) return fail("hour (h) out of range 1-12");
    hour = hour % 12 + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12) return fail("month out of range");
  if (day < 1 || day > DaysInMonth(year, month)) return fail("day out of range");
  if (hour > 23) return fail("hour out of range");
  if (minute > 59) return fail("minute out of range");
  if (second > 59) return fail("second out of range");
  if (year < -1'000'000 || year > 1'000'000) return fail("year out of range");
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 +
                          minute * 60 + second - offset;
  return Instant{seconds, static_cast<int32_t>(nanos)};
}

}  // namespace rivven::transforms
