#include "formats/parquet/value_render.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/json_escape.h"
#include "formats/json_reader.h"

namespace rivven::formats::parquet {
namespace {

using Style = ValueRenderer::Style;

template <typename T>
void AppendNumber(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

/// ECMAScript's Number::toString layout of the shortest round-trip digits: plain notation for
/// decimal exponents in [-7, 21), exponent notation ("1.5e-7", "1e+21") beyond, so doubles
/// read the way JSON tools (and JavaScript peers) print them.
template <typename F>
void AppendFloating(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  if (v == 0) {
    out.push_back('0');
    return;
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_at + 1 + (sci[e_at + 1] == '+'), sci.data() + sci.size(),
                  exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // position of the decimal point relative to the digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    AppendNumber(out, n - 1 >= 0 ? n - 1 : 1 - n);
  }
}

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buf[--n]);
}

int64_t UnitsPerSecond(TimeUnit u) {
  return u == TimeUnit::kMillis ? 1000 : u == TimeUnit::kMicros ? 1000000 : 1000000000;
}

int FractionDigits(TimeUnit u) {
  return u == TimeUnit::kMillis ? 3 : u == TimeUnit::kMicros ? 6 : 9;
}

/// "HH:MM:SS.fff" for `sub` units of the day (0 <= sub < one day).
void AppendTimeOfDay(std::string& out, int64_t sub, TimeUnit unit) {
  const int64_t per_second = UnitsPerSecond(unit);
  const int64_t seconds = sub / per_second;
  AppendPadded(out, static_cast<uint64_t>(seconds / 3600), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(seconds / 60 % 60), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(seconds % 60), 2);
  out.push_back('.');
  AppendPadded(out, static_cast<uint64_t>(sub % per_second), FractionDigits(unit));
}

void AppendDateTime(std::string& out, int64_t days, int64_t sub, TimeUnit unit, bool utc) {
  out.push_back('"');
  AppendDate(out, days);
  out.push_back('T');
  AppendTimeOfDay(out, sub, unit);
  if (utc) out.push_back('Z');
  out.push_back('"');
}

constexpr int32_t kMaxPlainScale = 1000;

/// Inserts the decimal point `scale` digits from the right of `digits` (no sign).
void AppendScaled(std::string& out, bool negative, std::string_view digits, int32_t scale) {
  out.push_back('"');
  if (negative && digits != "0") out.push_back('-');
  if (scale > kMaxPlainScale || scale < -kMaxPlainScale) {
    // A scale no real decimal has (a corrupt schema): exponent notation, not a huge string.
    out.append(digits);
    out.push_back('e');
    AppendNumber(out, -static_cast<int64_t>(scale));
  } else if (scale <= 0) {
    out.append(digits);
    if (digits != "0") out.append(static_cast<size_t>(-scale), '0');
  } else if (digits.size() <= static_cast<size_t>(scale)) {
    out += "0.";
    out.append(static_cast<size_t>(scale) - digits.size(), '0');
    out.append(digits);
  } else {
    out.append(digits.substr(0, digits.size() - static_cast<size_t>(scale)));
    out.push_back('.');
    out.append(digits.substr(digits.size() - static_cast<size_t>(scale)));
  }
  out.push_back('"');
}

void AppendDecimalInt(std::string& out, int64_t v, int32_t scale) {
  const bool negative = v < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), magnitude);
  AppendScaled(out, negative, std::string_view(buf, static_cast<size_t>(r.ptr - buf)), scale);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1;
  const int exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

Style StyleOf(const ColumnDescriptor& c, TimeUnit* unit, bool* utc, int32_t* scale) {
  const bool binary =
      c.physical == PhysicalType::kByteArray || c.physical == PhysicalType::kFixedLenByteArray;
  if (c.logical_type) {
    using K = LogicalType::Kind;
    const LogicalType& t = *c.logical_type;
    switch (t.kind) {
      case K::kString:
      case K::kEnum:
        return binary ? Style::kString : Style::kNumber;
      case K::kJson:
        return binary ? Style::kJson : Style::kNumber;
      case K::kBson:
        return Style::kBase64;
      case K::kUuid:
        return c.physical == PhysicalType::kFixedLenByteArray && c.type_length == 16
                   ? Style::kUuid
                   : Style::kBase64;
      case K::kDate:
        return Style::kDate;
      case K::kTimestamp:
        *unit = t.unit;
        *utc = t.adjusted_to_utc;
        return Style::kTimestamp;
      case K::kTime:
        *unit = t.unit;
        return Style::kTime;
      case K::kDecimal:
        *scale = t.scale;
        return Style::kDecimal;
      case K::kInteger:
        return t.is_signed ? Style::kNumber : Style::kUnsigned;
      case K::kFloat16:
        return c.physical == PhysicalType::kFixedLenByteArray && c.type_length == 2
                   ? Style::kFloat16
                   : Style::kBase64;
      default:
        break;
    }
  }
  if (c.converted_type) {
    switch (*c.converted_type) {
      case ConvertedType::kUtf8:
      case ConvertedType::kEnum:
        return binary ? Style::kString : Style::kNumber;
      case ConvertedType::kJson:
        return binary ? Style::kJson : Style::kNumber;
      case ConvertedType::kDecimal:
        *scale = c.scale;
        return Style::kDecimal;
      case ConvertedType::kDate:
        return Style::kDate;
      case ConvertedType::kTimeMillis:
        *unit = TimeUnit::kMillis;
        return Style::kTime;
      case ConvertedType::kTimeMicros:
        *unit = TimeUnit::kMicros;
        return Style::kTime;
      case ConvertedType::kTimestampMillis:
      case ConvertedType::kTimestampMicros:
        *unit = *c.converted_type == ConvertedType::kTimestampMillis ? TimeUnit::kMillis
                                                                     : TimeUnit::kMicros;
        *utc = true;
        return Style::kTimestamp;
      case ConvertedType::kUint8:
      case ConvertedType::kUint16:
      case ConvertedType::kUint32:
      case ConvertedType::kUint64:
        return Style::kUnsigned;
      default:
        break;
    }
  }
  return binary ? Style::kBase64 : Style::kNumber;
}

}  // namespace

void AppendDate(std::string& out, int64_t days) {
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
  if (y < 0) out.push_back('-');
  AppendPadded(out, static_cast<uint64_t>(y < 0 ? -y : y), 4);
  out.push_back('-');
  AppendPadded(out, static_cast<uint64_t>(m), 2);
  out.push_back('-');
  AppendPadded(out, static_cast<uint64_t>(d), 2);
}

void AppendTimestamp(std::string& out, int64_t value, TimeUnit unit, bool utc) {
  const int64_t per_day = UnitsPerSecond(unit) * 86400;
  int64_t days = value / per_day;
  int64_t sub = value % per_day;
  if (sub < 0) {
    sub += per_day;
    --days;
  }
  AppendDateTime(out, days, sub, unit, utc);
}

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.push_back('"');
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  out.push_back('"');
}

void AppendDecimal(std::string& out, std::string_view be, int32_t scale) {
  if (be.empty()) {
    AppendScaled(out, false, "0", scale);
    return;
  }
  const bool negative = (static_cast<uint8_t>(be[0]) & 0x80) != 0;
  std::vector<uint8_t> mag(be.begin(), be.end());
  if (negative) {  // two's complement magnitude: invert and add one
    for (uint8_t& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  // Repeated division by 10^9 of the base-256 number.
  std::vector<uint32_t> chunks;
  size_t start = 0;
  while (start < mag.size()) {
    uint64_t rem = 0;
    for (size_t i = start; i < mag.size(); ++i) {
      const uint64_t cur = rem << 8 | mag[i];
      mag[i] = static_cast<uint8_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    chunks.push_back(static_cast<uint32_t>(rem));
    while (start < mag.size() && mag[start] == 0) ++start;
  }
  std::string digits;
  if (chunks.empty()) digits.push_back('0');
  for (size_t i = chunks.size(); i-- > 0;) {
    if (i == chunks.size() - 1) {
      AppendNumber(digits, chunks[i]);
    } else {
      AppendPadded(digits, chunks[i], 9);
    }
  }
  AppendScaled(out, negative, digits, scale);
}

ValueRenderer::ValueRenderer(const ColumnDescriptor& column) {
  style_ = StyleOf(column, &unit_, &utc_, &scale_);
  if (column.physical == PhysicalType::kInt96) {
    style_ = Style::kTimestamp;
    unit_ = TimeUnit::kNanos;
  }
  if (style_ == Style::kJson) json_ = std::make_unique<JsonCompactor>();
}

ValueRenderer::~ValueRenderer() = default;

void ValueRenderer::Bool(bool v, std::string& out) const { out += v ? "true" : "false"; }

template <typename Unsigned>
void ValueRenderer::Integer(int64_t v, std::string& out) const {
  switch (style_) {
    case Style::kUnsigned:
      AppendNumber(out, static_cast<Unsigned>(v));
      return;
    case Style::kTimestamp:
      if constexpr (sizeof(Unsigned) == 8) {  // timestamps are INT64 only
        AppendTimestamp(out, v, unit_, utc_);
        return;
      }
      break;
    case Style::kDate:
      out.push_back('"');
      AppendDate(out, v);
      out.push_back('"');
      return;
    case Style::kTime:
      if (v >= 0 && v < 86400LL * UnitsPerSecond(unit_)) {
        out.push_back('"');
        AppendTimeOfDay(out, v, unit_);
        out.push_back('"');
        return;
      }
      break;
    case Style::kDecimal:
      AppendDecimalInt(out, v, scale_);
      return;
    default:
      break;
  }
  AppendNumber(out, v);
}

void ValueRenderer::Int32(int32_t v, std::string& out) const { Integer<uint32_t>(v, out); }

void ValueRenderer::Int64(int64_t v, std::string& out) const { Integer<uint64_t>(v, out); }

void ValueRenderer::Int96(const char* b, std::string& out) const {
  int64_t nanos;
  int32_t julian;
  std::memcpy(&nanos, b, 8);
  std::memcpy(&julian, b + 8, 4);
  constexpr int64_t kNanosPerDay = 86400LL * 1000000000LL;
  if (nanos < 0 || nanos >= kNanosPerDay)
    nanos = ((nanos % kNanosPerDay) + kNanosPerDay) % kNanosPerDay;
  AppendDateTime(out, static_cast<int64_t>(julian) - 2440588, nanos, TimeUnit::kNanos, false);
}

void ValueRenderer::Float(float v, std::string& out) const { AppendFloating(out, v); }

void ValueRenderer::Double(double v, std::string& out) const { AppendFloating(out, v); }

void ValueRenderer::Bytes(std::string_view v, std::string& out) {
  switch (style_) {
    case Style::kString:
      AppendJsonString(out, v);
      return;
    case Style::kJson:
      if (json_->Compact(v, &scratch_).ok()) {
        out += scratch_;
      } else {
        AppendJsonString(out, v);
      }
      return;
    case Style::kDecimal:
      if (v.size() <= 128) {
        AppendDecimal(out, v, scale_);
        return;
      }
      break;
    case Style::kUuid:
      if (v.size() == 16) {
        static constexpr char kHex[] = "0123456789abcdef";
        out.push_back('"');
        for (size_t i = 0; i < 16; ++i) {
          if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
          out.push_back(kHex[static_cast<uint8_t>(v[i]) >> 4]);
          out.push_back(kHex[static_cast<uint8_t>(v[i]) & 15]);
        }
        out.push_back('"');
        return;
      }
      break;
    case Style::kFloat16:
      if (v.size() == 2) {
        AppendFloating(out, HalfToFloat(static_cast<uint16_t>(static_cast<uint8_t>(v[0]) |
                                                              static_cast<uint8_t>(v[1]) << 8)));
        return;
      }
      break;
    default:
      break;
  }
  AppendBase64(out, v);
}

}  // namespace rivven::formats::parquet
