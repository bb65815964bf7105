#include "connectors/mysql/binlog_temporal.h"

#include "base/append_in_place.h"

namespace rivven::mysql::internal {
namespace {

inline uint64_t Be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

inline int64_t SignedBe(const unsigned char* p, int n) {
  const uint64_t v = Be(p, n);
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

inline uint64_t Le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

inline char* Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

inline char* Put4(char* p, unsigned v) {
  p = Put2(p, v / 100 % 100);
  return Put2(p, v % 100);
}

/// Hours of TIME can have three digits.
inline char* PutHours(char* p, unsigned v) {
  if (v >= 100) *p++ = static_cast<char>('0' + v / 100 % 10);
  return Put2(p, v % 100);
}

/// `fsp` digits of the microseconds, after a '.' (nothing for 0).
inline char* PutFraction(char* p, uint32_t usec, uint32_t fsp) {
  if (fsp == 0) return p;
  *p++ = '.';
  unsigned div = 100000;
  for (uint32_t i = 0; i < fsp; ++i, div /= 10) *p++ = static_cast<char>('0' + usec / div % 10);
  return p;
}

struct Civil {
  unsigned year, month, day, hour, minute, second;
  uint32_t usec;
};

/// "YYYY-MM-DDTHH:MM:SS[.f]" + suffix (quoted) into out.
void PutDateTime(std::string& out, const Civil& c, uint32_t fsp, bool zulu) {
  AppendInPlace(out, 40, [&](char* p) {
    *p++ = '"';
    p = Put4(p, c.year);
    *p++ = '-';
    p = Put2(p, c.month);
    *p++ = '-';
    p = Put2(p, c.day);
    *p++ = 'T';
    p = Put2(p, c.hour);
    *p++ = ':';
    p = Put2(p, c.minute);
    *p++ = ':';
    p = Put2(p, c.second);
    p = PutFraction(p, c.usec, fsp);
    if (zulu) *p++ = 'Z';
    *p++ = '"';
    return p;
  });
}

void PutDate(std::string& out, unsigned year, unsigned month, unsigned day) {
  AppendInPlace(out, 16, [&](char* p) {
    *p++ = '"';
    p = Put4(p, year);
    *p++ = '-';
    p = Put2(p, month);
    *p++ = '-';
    p = Put2(p, day);
    *p++ = '"';
    return p;
  });
}

void PutTime(std::string& out, bool negative, unsigned hour, unsigned minute, unsigned second,
             uint32_t usec, uint32_t fsp, bool quoted = true) {
  AppendInPlace(out, 24, [&](char* p) {
    if (quoted) *p++ = '"';
    if (negative) *p++ = '-';
    p = PutHours(p, hour);
    *p++ = ':';
    p = Put2(p, minute);
    *p++ = ':';
    p = Put2(p, second);
    p = PutFraction(p, usec, fsp);
    if (quoted) *p++ = '"';
    return p;
  });
}

/// A zero date: null, or the epoch in the type's form when the column is NOT NULL.
void ZeroDateTime(std::string& out, bool nullable, uint32_t fsp, bool zulu) {
  if (nullable) {
    out += "null";
  } else {
    PutDateTime(out, Civil{1970, 1, 1, 0, 0, 0, 0}, fsp, zulu);
  }
}

/// Days since 1970-01-01 → civil date (proleptic Gregorian; H. Hinnant's algorithm).
void CivilFromDays(int64_t z, unsigned& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<unsigned>(year + (m <= 2));
}

void PutUnixSeconds(std::string& out, uint64_t seconds, uint32_t usec, uint32_t fsp) {
  Civil c{};
  // The rows of a statement mostly share their day: keep the last day's date.
  thread_local int64_t cached_days = -1;
  thread_local unsigned cached_year = 0, cached_month = 0, cached_day = 0;
  const auto days = static_cast<int64_t>(seconds / 86400);
  if (days != cached_days) {
    CivilFromDays(days, cached_year, cached_month, cached_day);
    cached_days = days;
  }
  c.year = cached_year;
  c.month = cached_month;
  c.day = cached_day;
  const unsigned rem = static_cast<unsigned>(seconds % 86400);
  c.hour = rem / 3600;
  c.minute = rem / 60 % 60;
  c.second = rem % 60;
  c.usec = usec;
  PutDateTime(out, c, fsp, true);
}

/// The microseconds of DATETIME2/TIME2's fractional bytes, signed as the server stores them.
int64_t Fraction(const unsigned char* p, uint32_t fsp) {
  switch (fsp) {
    case 1:
    case 2:
      return SignedBe(p, 1) * 10000;
    case 3:
    case 4:
      return SignedBe(p, 2) * 100;
    case 5:
    case 6:
      return SignedBe(p, 3);
    default:
      return 0;
  }
}

}  // namespace

bool AppendDate(std::string& out, const unsigned char* p, bool nullable) {
  const uint32_t v = static_cast<uint32_t>(Le(p, 3));
  const unsigned day = v & 31, month = v >> 5 & 15, year = v >> 9;
  if (month > 12) return false;
  if (month == 0 || day == 0) {
    if (nullable) {
      out += "null";
    } else {
      PutDate(out, 1970, 1, 1);
    }
    return true;
  }
  PutDate(out, year, month, day);
  return true;
}

bool AppendTimeOld(std::string& out, const unsigned char* p) {
  int64_t v = static_cast<int64_t>(Le(p, 3));
  if (v & 0x800000) v -= 0x1000000;
  const bool negative = v < 0;
  const uint64_t a = static_cast<uint64_t>(negative ? -v : v);
  const unsigned minute = static_cast<unsigned>(a / 100 % 100),
                 second = static_cast<unsigned>(a % 100);
  if (minute > 59 || second > 59) return false;
  PutTime(out, negative, static_cast<unsigned>(a / 10000), minute, second, 0, 0);
  return true;
}

bool AppendDateTimeOld(std::string& out, const unsigned char* p, bool nullable) {
  const uint64_t v = Le(p, 8);  // YYYYMMDDhhmmss
  const uint64_t date = v / 1000000, time = v % 1000000;
  Civil c{static_cast<unsigned>(date / 10000),
          static_cast<unsigned>(date / 100 % 100),
          static_cast<unsigned>(date % 100),
          static_cast<unsigned>(time / 10000),
          static_cast<unsigned>(time / 100 % 100),
          static_cast<unsigned>(time % 100),
          0};
  if (c.year > 9999 || c.month > 12 || c.day > 31 || c.hour > 23 || c.minute > 59 ||
      c.second > 59) {
    return false;
  }
  if (c.month == 0 || c.day == 0) {
    ZeroDateTime(out, nullable, 0, false);
  } else {
    PutDateTime(out, c, 0, false);
  }
  return true;
}

bool AppendTimestampOld(std::string& out, const unsigned char* p, bool nullable) {
  const uint64_t seconds = Le(p, 4);
  if (seconds == 0) {
    ZeroDateTime(out, nullable, 0, true);
  } else {
    PutUnixSeconds(out, seconds, 0, 0);
  }
  return true;
}

bool AppendTime2(std::string& out, const unsigned char* p, uint32_t fsp) {
  int64_t intpart = static_cast<int64_t>(Be(p, 3)) - 0x800000;
  int64_t frac = 0;
  if (fsp >= 5) {
    // The 6 bytes hold the packed value itself, offset by 0x800000000000.
    const int64_t packed = static_cast<int64_t>(Be(p, 6)) - 0x800000000000LL;
    intpart = packed >> 24;  // floor, so frac is 0..2^24-1 and packed = intpart * 2^24 + frac
    frac = packed - intpart * (int64_t{1} << 24);
  } else if (fsp >= 1) {
    const int width = fsp <= 2 ? 1 : 2;
    frac = static_cast<int64_t>(Be(p + 3, width));
    if (intpart < 0 && frac != 0) {
      // Negative values store the fraction reversed, so that bytes sort as values do.
      ++intpart;
      frac -= int64_t{1} << (8 * width);
    }
    frac *= width == 1 ? 10000 : 100;
  }
  int64_t packed = intpart * (int64_t{1} << 24) + frac;
  const bool negative = packed < 0;
  if (negative) packed = -packed;
  const uint64_t hms = static_cast<uint64_t>(packed) >> 24;
  const uint32_t usec = static_cast<uint32_t>(packed & 0xFFFFFF);
  const unsigned hour = static_cast<unsigned>(hms >> 12 & 1023);
  const unsigned minute = static_cast<unsigned>(hms >> 6 & 63),
                 second = static_cast<unsigned>(hms & 63);
  if (minute > 59 || second > 59 || usec > 999999) return false;
  PutTime(out, negative, hour, minute, second, usec, fsp);
  return true;
}

bool AppendDateTime2(std::string& out, const unsigned char* p, uint32_t fsp, bool nullable) {
  const int64_t intpart = static_cast<int64_t>(Be(p, 5)) - 0x8000000000LL;
  const int64_t packed = intpart * (int64_t{1} << 24) + Fraction(p + 5, fsp);
  if (packed < 0) return false;  // DATETIME is never negative
  const uint64_t ymdhms = static_cast<uint64_t>(packed) >> 24;
  const uint64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms & 0x1FFFF;
  Civil c{static_cast<unsigned>(ym / 13),          static_cast<unsigned>(ym % 13),
          static_cast<unsigned>(ymd & 31),         static_cast<unsigned>(hms >> 12),
          static_cast<unsigned>(hms >> 6 & 63),    static_cast<unsigned>(hms & 63),
          static_cast<uint32_t>(packed & 0xFFFFFF)};
  if (c.year > 9999 || c.hour > 23 || c.minute > 59 || c.second > 59 || c.usec > 999999) {
    return false;
  }
  if (c.month == 0 || c.day == 0) {
    ZeroDateTime(out, nullable, fsp, false);
  } else {
    PutDateTime(out, c, fsp, false);
  }
  return true;
}

bool AppendTimestamp2(std::string& out, const unsigned char* p, uint32_t fsp, bool nullable) {
  const uint64_t seconds = Be(p, 4);
  int64_t usec = 0;
  switch (fsp) {
    case 1:
    case 2:
      usec = int64_t{p[4]} * 10000;
      break;
    case 3:
    case 4:
      usec = SignedBe(p + 4, 2) * 100;
      break;
    case 5:
    case 6:
      usec = SignedBe(p + 4, 3);
      break;
    default:
      break;
  }
  if (usec < 0 || usec > 999999) return false;
  if (seconds == 0 && usec == 0) {
    ZeroDateTime(out, nullable, fsp, true);
  } else {
    PutUnixSeconds(out, seconds, static_cast<uint32_t>(usec), fsp);
  }
  return true;
}

void AppendPackedDate(std::string& out, int64_t packed) {
  if (packed < 0) packed = -packed;
  const uint64_t ymd = static_cast<uint64_t>(packed) >> 24 >> 17;
  const uint64_t ym = ymd >> 5;
  PutDate(out, static_cast<unsigned>(ym / 13 % 10000), static_cast<unsigned>(ym % 13),
          static_cast<unsigned>(ymd & 31));
}

void AppendPackedTime(std::string& out, int64_t packed) {
  const bool negative = packed < 0;
  if (negative) packed = -packed;
  const uint64_t hms = static_cast<uint64_t>(packed) >> 24;
  PutTime(out, negative, static_cast<unsigned>(hms >> 12 & 1023),
          static_cast<unsigned>(hms >> 6 & 63), static_cast<unsigned>(hms & 63),
          static_cast<uint32_t>(packed & 0xFFFFFF) % 1000000, 6);
}

void AppendPackedDateTime(std::string& out, int64_t packed) {
  if (packed < 0) packed = -packed;
  const uint64_t ymdhms = static_cast<uint64_t>(packed) >> 24;
  const uint64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms & 0x1FFFF;
  char buf[40];
  char* p = buf;
  *p++ = '"';
  p = Put4(p, static_cast<unsigned>(ym / 13 % 10000));
  *p++ = '-';
  p = Put2(p, static_cast<unsigned>(ym % 13));
  *p++ = '-';
  p = Put2(p, static_cast<unsigned>(ymd & 31));
  *p++ = ' ';
  p = Put2(p, static_cast<unsigned>(hms >> 12));
  *p++ = ':';
  p = Put2(p, static_cast<unsigned>(hms >> 6 & 63));
  *p++ = ':';
  p = Put2(p, static_cast<unsigned>(hms & 63));
  p = PutFraction(p, static_cast<uint32_t>(packed & 0xFFFFFF) % 1000000, 6);
  *p++ = '"';
  out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace rivven::mysql::internal
