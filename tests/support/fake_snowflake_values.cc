// Values meeting columns in FakeSnowflake: which bound, literal and streamed values a column of
// each type takes, and the JSON text it stores them as.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <regex>

#include "support/fake_snowflake_sql.h"

namespace rivven::testing::fake_snowflake {
namespace {

using Kind = Value::Kind;
using ColKind = ColumnType::Kind;

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "NULL";
    case Kind::kFixed:
      return "FIXED";
    case Kind::kReal:
      return "REAL";
    case Kind::kDecfloat:
      return "DECFLOAT";
    case Kind::kText:
      return "TEXT";
    case Kind::kBoolean:
      return "BOOLEAN";
    case Kind::kBinary:
      return "BINARY";
    case Kind::kDate:
      return "DATE";
    case Kind::kTime:
      return "TIME";
    case Kind::kTimestampNtz:
      return "TIMESTAMP_NTZ";
    case Kind::kTimestampLtz:
      return "TIMESTAMP_LTZ";
    case Kind::kTimestampTz:
      return "TIMESTAMP_TZ";
    case Kind::kVariant:
      return "VARIANT";
  }
  return "?";
}

bool Fail(SqlError* error, std::string code, std::string state, std::string message) {
  *error = {std::move(code), std::move(state), std::move(message)};
  return false;
}

bool Mismatch(const Value& v, const Column& c, SqlError* error) {
  return Fail(error, "002023", "22000",
              "SQL compilation error:\nExpression type does not match column data type, "
              "expecting " +
                  c.type.Text() + " but got " + KindName(v.kind) + " for column " + c.name);
}

bool Unrecognized(const Value& v, const char* what, SqlError* error) {
  return Fail(error, "100037", "22018",
              std::string(what) + " value '" + v.text + "' is not recognized");
}

bool IsTimestampKind(Kind k) {
  return k == Kind::kTimestampNtz || k == Kind::kTimestampLtz || k == Kind::kTimestampTz;
}

// The documented table of binding types per column type; literals and streamed values arrive as
// TEXT, FIXED/REAL or BOOLEAN and follow the same rows.
bool Allowed(Kind v, ColKind c) {
  switch (c) {
    case ColKind::kNumber:
    case ColKind::kFloat:
      return v == Kind::kFixed || v == Kind::kReal || v == Kind::kDecfloat || v == Kind::kText;
    case ColKind::kVarchar:
      return v != Kind::kVariant;
    case ColKind::kBinary:
      return v == Kind::kText;
    case ColKind::kBoolean:
      return v == Kind::kFixed || v == Kind::kReal || v == Kind::kDecfloat || v == Kind::kText ||
             v == Kind::kBoolean;
    case ColKind::kDate:
      return v == Kind::kText || v == Kind::kDate || IsTimestampKind(v);
    case ColKind::kTime:
      return v == Kind::kText || v == Kind::kTime || IsTimestampKind(v);
    case ColKind::kTimestampTz:
      return v == Kind::kText || v == Kind::kDate || IsTimestampKind(v);
    case ColKind::kTimestampLtz:
    case ColKind::kTimestampNtz:
      return v == Kind::kText || v == Kind::kDate || v == Kind::kTimestampLtz ||
             v == Kind::kTimestampNtz;
    case ColKind::kVariant:
    case ColKind::kObject:
    case ColKind::kArray:
      return v == Kind::kVariant;
  }
  return false;
}

bool DaysInMonthOk(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// "YYYY-MM-DD", "HH:MI[:SS[.F]]" and timestamps as AUTO detection reads them in their common ISO
// forms; other AUTO formats are not recognized by the fake.
bool ValidDateText(const std::string& t) {
  static const std::regex re(R"(^(\d{4})-(\d{2})-(\d{2})$)");
  std::smatch m;
  return std::regex_match(t, m, re) &&
         DaysInMonthOk(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
}

bool ValidTimeText(const std::string& t) {
  static const std::regex re(R"(^(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?$)");
  std::smatch m;
  return std::regex_match(t, m, re) && std::stoi(m[1]) < 24 && std::stoi(m[2]) < 60 &&
         (!m[4].matched || std::stoi(m[4]) < 60);
}

bool ValidTimestampText(const std::string& t) {
  static const std::regex re(
      R"(^(\d{4}-\d{2}-\d{2})([ T](\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?))?( ?(Z|[+-]\d{2}:?\d{2}))?$)");
  std::smatch m;
  return std::regex_match(t, m, re) && ValidDateText(m[1]) &&
         (!m[3].matched || ValidTimeText(m[3]));
}

bool ParseInt64(const std::string& t, int64_t* out) {
  const auto r = std::from_chars(t.data(), t.data() + t.size(), *out);
  return r.ec == std::errc() && r.ptr == t.data() + t.size() && !t.empty();
}

// An epoch count (`unit` per second) as "YYYY-MM-DD HH:MI:SS.fffffffff" (UTC).
std::string FormatEpoch(int64_t count, int64_t unit, bool date_only) {
  int64_t secs = count / unit, frac = count % unit;
  if (frac < 0) {
    frac += unit;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  if (date_only) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%09lld", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac * (1000000000 / unit)));
  }
  return buf;
}

std::string FormatTimeOfDay(int64_t nanos) {
  constexpr int64_t kDay = 86400LL * 1000000000LL;
  nanos %= kDay;
  if (nanos < 0) nanos += kDay;
  const int64_t s = nanos / 1000000000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%09lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60),
                static_cast<long long>(nanos % 1000000000));
  return buf;
}

// Canonical NUMBER(p,s) text of a decimal in plain or exponent form; false when it is not a
// number (`*range` false) or does not fit (`*range` true).
bool CanonicalDecimal(const std::string& text, int precision, int scale, std::string* out,
                      bool* range) {
  static const std::regex re(R"(^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?\s*$)");
  std::smatch m;
  *range = false;
  if (!std::regex_match(text, m, re) || (m[2].length() == 0 && m[3].length() == 0)) return false;
  const bool negative = m[1] == "-";
  std::string digits = m[2].str() + m[3].str();
  long point = static_cast<long>(m[2].length()) + (m[4].matched ? std::stol(m[4]) : 0);
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (point > static_cast<long>(digits.size())) digits.append(point - digits.size(), '0');
  std::string integer = digits.substr(0, point);
  std::string fraction = digits.substr(point);
  if (static_cast<int>(fraction.size()) > scale) {
    const bool up = fraction[scale] >= '5';
    fraction.resize(scale);
    if (up) {  // round half away from zero across fraction and integer digits
      std::string all = integer + fraction;
      int i = static_cast<int>(all.size()) - 1;
      for (; i >= 0 && all[i] == '9'; --i) all[i] = '0';
      if (i >= 0) {
        ++all[i];
      } else {
        all.insert(all.begin(), '1');
      }
      integer = all.substr(0, all.size() - fraction.size());
      fraction = all.substr(all.size() - fraction.size());
    }
  }
  fraction.append(scale - fraction.size(), '0');
  const size_t nz = integer.find_first_not_of('0');
  integer = nz == std::string::npos ? "0" : integer.substr(nz);
  if (integer != "0" && static_cast<int>(integer.size()) > precision - scale) {
    *range = true;
    return false;
  }
  const bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
  *out = (negative && !zero ? "-" : "") + integer + (scale > 0 ? "." + fraction : "");
  return true;
}

bool VariantScalar(const std::string& json, Value* scalar) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError()) return false;
  if (d.IsString()) {
    *scalar = {Kind::kText, std::string(d.GetString(), d.GetStringLength())};
  } else if (d.IsBool()) {
    *scalar = {Kind::kBoolean, d.GetBool() ? "true" : "false"};
  } else if (d.IsNumber()) {
    *scalar = {Kind::kReal, json};
  } else if (d.IsNull()) {
    *scalar = {Kind::kNull, ""};
  } else {
    return false;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string ColumnType::Text() const {
  switch (kind) {
    case ColKind::kNumber:
      return "NUMBER(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case ColKind::kFloat:
      return "FLOAT";
    case ColKind::kVarchar:
      return "VARCHAR(" + std::to_string(length) + ")";
    case ColKind::kBoolean:
      return "BOOLEAN";
    case ColKind::kBinary:
      return "BINARY(" + std::to_string(length) + ")";
    case ColKind::kDate:
      return "DATE";
    case ColKind::kTime:
      return "TIME(" + std::to_string(precision) + ")";
    case ColKind::kTimestampNtz:
      return "TIMESTAMP_NTZ(" + std::to_string(precision) + ")";
    case ColKind::kTimestampLtz:
      return "TIMESTAMP_LTZ(" + std::to_string(precision) + ")";
    case ColKind::kTimestampTz:
      return "TIMESTAMP_TZ(" + std::to_string(precision) + ")";
    case ColKind::kVariant:
      return "VARIANT";
    case ColKind::kObject:
      return "OBJECT";
    case ColKind::kArray:
      return "ARRAY";
  }
  return "?";
}

int Table::FindColumn(std::string_view n) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

std::string JsonQuote(std::string_view text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return buf.GetString();
}

bool CompactJson(std::string_view text, std::string* out) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (d.HasParseError()) return false;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  *out = buf.GetString();
  return true;
}

std::string NormalizeIdentifier(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '"') ++i;  // "" is one quote
    }
    return out;
  }
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool Coerce(const Value& in, const Column& column, Cell* cell, SqlError* error) {
  if (in.kind == Kind::kNull) {
    if (column.not_null) {
      return Fail(error, "100072", "22000",
                  "NULL result in a non-nullable column '" + column.name + "'");
    }
    *cell = std::nullopt;
    return true;
  }
  const ColumnType& type = column.type;
  Value v = in;
  const bool variant_target = type.kind == ColKind::kVariant || type.kind == ColKind::kObject ||
                              type.kind == ColKind::kArray;
  if (v.kind == Kind::kVariant && !variant_target && !VariantScalar(v.text, &v)) {
    return Mismatch(in, column, error);
  }
  if (v.kind == Kind::kNull) return Coerce(v, column, cell, error);
  if (!Allowed(v.kind, type.kind)) return Mismatch(v, column, error);
  switch (type.kind) {
    case ColKind::kNumber: {
      std::string out;
      bool range = false;
      if (!CanonicalDecimal(v.text, type.precision, type.scale, &out, &range)) {
        if (range) {
          return Fail(error, "100046", "22003",
                      "Number out of representable range: type FIXED{precision=" +
                          std::to_string(type.precision) + ", scale=" + std::to_string(type.scale) +
                          "}, value=" + v.text);
        }
        return Fail(error, "100038", "22018", "Numeric value '" + v.text + "' is not recognized");
      }
      *cell = out;
      return true;
    }
    case ColKind::kFloat: {
      static const std::regex special(R"(^(?:[+-]?(?:inf|infinity)|nan)$)", std::regex::icase);
      if (std::regex_match(v.text, special)) {
        *cell = JsonQuote(v.text);
        return true;
      }
      double d = 0;
      const char* b = v.text.data();
      const auto r = std::from_chars(b + (v.text.starts_with('+') ? 1 : 0), b + v.text.size(), d);
      if (r.ec != std::errc() || r.ptr != b + v.text.size() || !std::isfinite(d)) {
        return Fail(error, "100038", "22018", "Numeric value '" + v.text + "' is not recognized");
      }
      char buf[64];
      *cell = std::string(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
      return true;
    }
    case ColKind::kVarchar: {
      std::string text = v.text;
      if (v.kind == Kind::kDate || v.kind == Kind::kTime || IsTimestampKind(v.kind)) {
        int64_t n = 0;
        ParseInt64(v.text.substr(0, v.text.find(' ')), &n);
        text = v.kind == Kind::kDate   ? FormatEpoch(n, 1000, true)
               : v.kind == Kind::kTime ? FormatTimeOfDay(n)
                                       : FormatEpoch(n, 1000000000, false);
      }
      if (static_cast<int64_t>(Utf8Length(text)) > type.length) {
        return Fail(error, "100074", "22001",
                    "String '" + text + "' is too long and would be truncated");
      }
      *cell = JsonQuote(text);
      return true;
    }
    case ColKind::kBinary: {
      static const std::regex hex("^(?:[0-9a-fA-F]{2})*$");
      if (!std::regex_match(v.text, hex)) return Unrecognized(v, "Hex", error);
      if (static_cast<int64_t>(v.text.size() / 2) > type.length) {
        return Fail(error, "100145", "22001", "Binary value is too long for column " + column.name);
      }
      std::string upper = v.text;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      *cell = JsonQuote(upper);
      return true;
    }
    case ColKind::kBoolean: {
      std::string t = v.text;
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      static const std::regex yes("^(true|t|yes|y|on|1)$"), no("^(false|f|no|n|off|0)$");
      if (v.kind == Kind::kText || v.kind == Kind::kBoolean) {
        if (std::regex_match(t, yes)) {
          *cell = "true";
        } else if (std::regex_match(t, no)) {
          *cell = "false";
        } else {
          return Fail(error, "100037", "22018", "Boolean value '" + v.text + "' is not recognized");
        }
        return true;
      }
      double d = 0;
      if (std::from_chars(t.data(), t.data() + t.size(), d).ec != std::errc()) {
        return Fail(error, "100037", "22018", "Boolean value '" + v.text + "' is not recognized");
      }
      *cell = d != 0 ? "true" : "false";
      return true;
    }
    case ColKind::kDate:
    case ColKind::kTime:
    case ColKind::kTimestampNtz:
    case ColKind::kTimestampLtz:
    case ColKind::kTimestampTz: {
      if (v.kind == Kind::kText) {
        const bool ok = type.kind == ColKind::kDate   ? ValidDateText(v.text)
                        : type.kind == ColKind::kTime ? ValidTimeText(v.text)
                                                      : ValidTimestampText(v.text);
        if (!ok) {
          const char* what = type.kind == ColKind::kDate   ? "Date"
                             : type.kind == ColKind::kTime ? "Time"
                                                           : "Timestamp";
          return Fail(error, "100035", "22007",
                      std::string(what) + " '" + v.text + "' is not recognized");
        }
        *cell = JsonQuote(v.text);
        return true;
      }
      int64_t n = 0;
      ParseInt64(v.text.substr(0, v.text.find(' ')), &n);
      const int64_t unit = v.kind == Kind::kDate ? 1000 : 1000000000;
      if (type.kind == ColKind::kDate) {
        *cell = JsonQuote(FormatEpoch(n, unit, true));
      } else if (type.kind == ColKind::kTime) {
        *cell = JsonQuote(FormatTimeOfDay(v.kind == Kind::kDate ? n * 1000000 : n));
      } else {
        *cell = JsonQuote(FormatEpoch(n, unit, false));
      }
      return true;
    }
    case ColKind::kVariant:
    case ColKind::kObject:
    case ColKind::kArray: {
      const char first = v.text.empty() ? ' ' : v.text.front();
      if ((type.kind == ColKind::kObject && first != '{') ||
          (type.kind == ColKind::kArray && first != '[')) {
        return Mismatch(in, column, error);
      }
      *cell = v.text;
      return true;
    }
  }
  return Mismatch(in, column, error);
}

}  // namespace rivven::testing::fake_snowflake
