#include "connectors/postgres/pg_value.h"

#include <cstring>

#include <charconv>
#include <cmath>
#include <system_error>

#include "base/json_escape.h"

namespace rivven::postgres {
namespace {

// How a value is written. Everything not listed maps to a JSON string of its text.
enum class Rule : uint8_t {
  kString,
  kBool,
  kNumber,  // integers and floats: the text when it is a JSON number, else a string (NaN...)
  kNumeric,
  kMoney,
  kJson,
  kBytea,
  kTimestamp,
  kTimestampTz,
  kTimeTz,
  kArray,
};

// The rule for a built-in scalar OID without consulting the catalog (the common case, and no
// hash lookup). False for other OIDs: arrays, domains and user types are looked up.
bool BuiltinRule(uint32_t oid, Rule& rule) {
  switch (oid) {
    case 16:
      rule = Rule::kBool;
      return true;
    case 20:
    case 21:
    case 23:
    case 26:
    case 28:
    case 700:
    case 701:
      rule = Rule::kNumber;
      return true;
    case 1700:
      rule = Rule::kNumeric;
      return true;
    case 790:
      rule = Rule::kMoney;
      return true;
    case 114:
    case 3802:
      rule = Rule::kJson;
      return true;
    case 17:
      rule = Rule::kBytea;
      return true;
    case 1114:
      rule = Rule::kTimestamp;
      return true;
    case 1184:
      rule = Rule::kTimestampTz;
      return true;
    case 1266:
      rule = Rule::kTimeTz;
      return true;
    // int2vector and oidvector are category 'A' but print as "1 2 3", not as array literals.
    case 22:
    case 30:
    case 18:
    case 19:
    case 25:
    case 142:
    case 650:
    case 774:
    case 829:
    case 869:
    case 1042:
    case 1043:
    case 1082:
    case 1083:
    case 1186:
    case 1560:
    case 1562:
    case 2950:
    case 3614:
    case 3904:
    case 3906:
    case 3908:
    case 3910:
    case 3912:
    case 3926:
    case 4451:
    case 4532:
    case 4533:
    case 4534:
    case 4535:
    case 4536:
      rule = Rule::kString;
      return true;
    default:
      return false;
  }
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  auto digits = [&] {
    const size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// True when `s` can go between JSON quotes as it is: printable ASCII without '"' or '\'.
bool IsPlainAscii(std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// A decimal in plain notation (as numeric prints it) as the nearest double, written the
// shortest way that reads back as the same double. Too large for a double: the strings
// "Infinity"/"-Infinity", as float8 writes them; too small: 0.
void AppendDecimalAsDouble(std::string& out, std::string_view text) {
  if (!IsJsonNumber(text)) {
    AppendJsonString(out, text);  // NaN, Infinity, -Infinity
    return;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool negative = text.front() == '-';
  if (ec == std::errc::result_out_of_range) {
    const std::string_view magnitude = negative ? text.substr(1) : text;
    if (magnitude.front() == '0') {
      out += negative ? "-0" : "0";
    } else {
      out += negative ? "\"-Infinity\"" : "\"Infinity\"";
    }
    return;
  }
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    AppendJsonString(out, text);
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, res.ptr - buf);
}

void AppendNumeric(std::string& out, std::string_view text, const ValueOptions& options) {
  if (options.decimal == ValueOptions::Decimal::kDouble) {
    AppendDecimalAsDouble(out, text);
  } else {
    AppendJsonString(out, text);
  }
}

// "$1,234.56" / "-$1,234.56" (money in lc_monetary=C) to "1234.56" / "-1234.56". Anything
// else (another locale's symbol or separators) is written as the server's text.
void AppendMoney(std::string& out, std::string_view text, const ValueOptions& options) {
  // The largest money value, "-$92,233,720,368,547,758.08", is 27 characters.
  char buf[40];
  size_t n = 0;
  size_t i = 0;
  if (i < text.size() && text[i] == '-') buf[n++] = text[i++];
  if (i < text.size() && text[i] == '$') ++i;
  bool ok = i < text.size() && text[i] >= '0' && text[i] <= '9';
  bool seen_point = false;
  for (; ok && i < text.size(); ++i) {
    const char c = text[i];
    if (c == ',' && !seen_point) continue;
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    if (n == sizeof(buf)) {
      ok = false;
      break;
    }
    buf[n++] = c;
  }
  if (!ok || buf[n - 1] == '.') {
    AppendJsonString(out, text);
    return;
  }
  AppendNumeric(out, std::string_view(buf, n), options);
}

void AppendBool(std::string& out, std::string_view text) {
  if (text == "t") {
    out += "true";
  } else if (text == "f") {
    out += "false";
  } else {
    AppendJsonString(out, text);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea_output=hex ("\x0102ff") to standard, padded base64.
void AppendBytea(std::string& out, std::string_view text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    AppendJsonString(out, text);
    return;
  }
  const std::string_view hex = text.substr(2);
  const size_t bytes = hex.size() / 2;
  const size_t start = out.size();
  out.reserve(start + 2 + (bytes + 2) / 3 * 4);
  out.push_back('"');
  uint32_t group = 0;
  int in_group = 0;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      out.resize(start);
      AppendJsonString(out, text);
      return;
    }
    group = (group << 8) | static_cast<uint32_t>(hi << 4 | lo);
    if (++in_group == 3) {
      const char quad[4] = {kAlphabet[group >> 18], kAlphabet[(group >> 12) & 63],
                            kAlphabet[(group >> 6) & 63], kAlphabet[group & 63]};
      out.append(quad, 4);
      group = 0;
      in_group = 0;
    }
  }
  if (in_group == 1) {
    const char quad[4] = {kAlphabet[group >> 2], kAlphabet[(group & 3) << 4], '=', '='};
    out.append(quad, 4);
  } else if (in_group == 2) {
    const char quad[4] = {kAlphabet[group >> 10], kAlphabet[(group >> 4) & 63],
                          kAlphabet[(group & 15) << 2], '='};
    out.append(quad, 4);
  }
  out.push_back('"');
}

// Appends a UTC offset as ISO 8601 wants it: "+00" -> "Z", "+05" -> "+05:00", "+05:30" and
// "+05:45:30" (historic zones) as they are. False if `offset` is not one.
bool AppendOffset(std::string& out, std::string_view offset) {
  const size_t n = offset.size();
  if ((n != 3 && n != 6 && n != 9) || (offset[0] != '+' && offset[0] != '-')) return false;
  bool zero = true;
  for (size_t i = 1; i < n; ++i) {
    const char c = offset[i];
    if (i % 3 == 0) {
      if (c != ':') return false;
    } else if (c < '0' || c > '9') {
      return false;
    } else if (c != '0') {
      zero = false;
    }
  }
  if (zero) {
    out.push_back('Z');
  } else {
    out.append(offset);
    if (n == 3) out.append(":00");
  }
  return true;
}

// "03:04:05.5+05:30" (time part first, offset after its sign), optionally " BC" after.
// Appends the quoted ISO 8601 form; false (out unchanged) if the text has another shape.
bool AppendZoned(std::string& out, std::string_view date, std::string_view time_and_zone) {
  std::string_view suffix;
  if (time_and_zone.size() > 3 && time_and_zone.substr(time_and_zone.size() - 3) == " BC") {
    suffix = time_and_zone.substr(time_and_zone.size() - 3);
    time_and_zone.remove_suffix(3);
  }
  // The offset is the digits and colons at the end, after their sign.
  size_t sign = time_and_zone.size();
  while (sign > 0 && ((time_and_zone[sign - 1] >= '0' && time_and_zone[sign - 1] <= '9') ||
                      time_and_zone[sign - 1] == ':')) {
    --sign;
  }
  if (sign < 2) return false;
  --sign;
  const std::string_view time = time_and_zone.substr(0, sign);
  if (!IsPlainAscii(date) || !IsPlainAscii(time)) return false;
  const size_t start = out.size();
  out.push_back('"');
  if (!date.empty()) {
    out.append(date);
    out.push_back('T');
  }
  out.append(time);
  if (!AppendOffset(out, time_and_zone.substr(sign))) {
    out.resize(start);
    return false;
  }
  out.append(suffix);
  out.push_back('"');
  return true;
}

// "2024-01-02 03:04:05.123456" -> "2024-01-02T03:04:05.123456"; "infinity" stays as it is.
void AppendTimestamp(std::string& out, std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || !IsPlainAscii(text)) {
    AppendJsonString(out, text);
    return;
  }
  out.push_back('"');
  out.append(text.substr(0, space));
  out.push_back('T');
  out.append(text.substr(space + 1));
  out.push_back('"');
}

// The form almost every value has with TimeZone=UTC: "YYYY-MM-DD HH:MM:SS[.f{1,6}]+00".
bool IsPlainUtcTimestamp(std::string_view t) {
  if (t.size() < 22 || t.size() > 29 || t[10] != ' ' || t.substr(t.size() - 3) != "+00") {
    return false;
  }
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    const char c = t[i];
    const bool digit = c >= '0' && c <= '9';
    const bool ok = (i == 4 || i == 7) ? c == '-' : (i == 10) ? c == ' '
                    : (i == 13 || i == 16) ? c == ':' : (i == 19) ? c == '.' : digit;
    if (!ok) return false;
  }
  return true;
}

void AppendTimestampTz(std::string& out, std::string_view text) {
  if (IsPlainUtcTimestamp(text)) {
    // "2024-01-02 03:04:05.678+00" -> "2024-01-02T03:04:05.678Z", in one append.
    char buf[32];
    const size_t n = text.size() - 3;
    buf[0] = '"';
    std::memcpy(buf + 1, text.data(), n);
    buf[11] = 'T';
    buf[n + 1] = 'Z';
    buf[n + 2] = '"';
    out.append(buf, n + 3);
    return;
  }
  const size_t space = text.find(' ');
  if (space == std::string_view::npos ||
      !AppendZoned(out, text.substr(0, space), text.substr(space + 1))) {
    AppendJsonString(out, text);
  }
}

void AppendTimeTz(std::string& out, std::string_view text) {
  if (!AppendZoned(out, {}, text)) AppendJsonString(out, text);
}

}  // namespace

void AppendValueJson(std::string& out, std::string_view text, uint32_t type_oid,
                     const TypeCatalog& catalog, const ValueOptions& options) {
  Rule rule = Rule::kString;
  uint32_t element = 0;
  if (!BuiltinRule(type_oid, rule)) {
    const TypeInfo* type = catalog.Resolve(type_oid);
    if (type == nullptr || !BuiltinRule(type->oid, rule)) {
      rule = Rule::kString;
      if (type != nullptr && type->category == 'A' && type->element_oid != 0) {
        rule = Rule::kArray;
        element = type->element_oid;
      }
    }
  }
  switch (rule) {
    case Rule::kString:
      AppendJsonString(out, text);
      return;
    case Rule::kBool:
      AppendBool(out, text);
      return;
    case Rule::kNumber:
      if (IsJsonNumber(text)) {
        out.append(text);
      } else {
        AppendJsonString(out, text);
      }
      return;
    case Rule::kNumeric:
      AppendNumeric(out, text, options);
      return;
    case Rule::kMoney:
      AppendMoney(out, text, options);
      return;
    case Rule::kJson:
      // The server has validated the document, so its text is JSON as it is.
      if (options.json == ValueOptions::Json::kEmbedded && !text.empty()) {
        out.append(text);
      } else {
        AppendJsonString(out, text);
      }
      return;
    case Rule::kBytea:
      AppendBytea(out, text);
      return;
    case Rule::kTimestamp:
      AppendTimestamp(out, text);
      return;
    case Rule::kTimestampTz:
      AppendTimestampTz(out, text);
      return;
    case Rule::kTimeTz:
      AppendTimeTz(out, text);
      return;
    case Rule::kArray:
      if (!AppendArrayJson(out, text, element, catalog, options)) AppendJsonString(out, text);
      return;
  }
}

}  // namespace rivven::postgres
