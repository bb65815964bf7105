#include "connectors/mysql/binlog_value.h"

#include <charconv>
#include <cstring>
#include <system_error>

#include "base/append_in_place.h"
#include "base/json_escape.h"
#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/binlog_temporal.h"
#include "connectors/mysql/mysql_charset.h"
#include "connectors/mysql/mysql_json_binary.h"

namespace rivven::mysql {
namespace {

constexpr uint8_t kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPowers10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000, 1000000000};

inline uint64_t Le(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

inline void AppendInt(std::string& out, int64_t v) {
  AppendInPlace(out, 20, [v](char* p) { return std::to_chars(p, p + 20, v).ptr; });
}

inline void AppendUint(std::string& out, uint64_t v) {
  AppendInPlace(out, 20, [v](char* p) { return std::to_chars(p, p + 20, v).ptr; });
}

Status Short(size_t need, size_t have) {
  return Status::Corruption("needs " + std::to_string(need) + " bytes, " + std::to_string(have) +
                            " left");
}

/// A length-prefixed value: `prefix` little-endian length bytes, then the bytes.
inline bool Prefixed(std::string_view data, size_t prefix, std::string_view& value, size_t& used,
                     Status& error) {
  if (data.size() < prefix) {
    error = Short(prefix, data.size());
    return false;
  }
  const uint64_t n = Le(reinterpret_cast<const unsigned char*>(data.data()), prefix);
  if (n > data.size() - prefix) {
    error = Status::Corruption("a value of " + std::to_string(n) + " bytes, " +
                               std::to_string(data.size() - prefix) + " left");
    return false;
  }
  value = data.substr(prefix, n);
  used = prefix + n;
  return true;
}

void AppendDecimalJson(std::string& out, std::string_view text, const RowOptions& options) {
  if (options.decimal == RowOptions::Decimal::kString) {
    AppendInPlace(out, text.size() + 2, [text](char* p) {
      *p++ = '"';
      std::memcpy(p, text.data(), text.size());
      p += text.size();
      *p++ = '"';
      return p;
    });
    return;
  }
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

/// BIT(n): BIT(1) a boolean, wider a base64 string of the bytes least significant first
/// (Debezium's io.debezium.data.Bits in JSON).
void AppendBits(std::string& out, const unsigned char* p, size_t bytes, uint32_t bits) {
  if (bits == 1) {
    out += (p[0] & 1) ? "true" : "false";
    return;
  }
  char reversed[8];
  for (size_t i = 0; i < bytes; ++i) reversed[i] = static_cast<char>(p[bytes - 1 - i]);
  AppendBase64Json(out, std::string_view(reversed, bytes));
}

void AppendEnum(std::string& out, uint64_t index, const std::vector<std::string>* labels) {
  if (index == 0) {
    out += "\"\"";  // the empty string MySQL stores for an invalid value
  } else if (labels != nullptr && index <= labels->size()) {
    out += (*labels)[index - 1];
  } else {
    AppendUint(out, index);  // labels unknown: the index, as the server stores it
  }
}

void AppendSet(std::string& out, uint64_t bits, const std::vector<std::string>* labels) {
  if (labels == nullptr || (labels->size() < 64 && (bits >> labels->size()) != 0)) {
    AppendUint(out, bits);  // labels unknown or too few: the bit mask
    return;
  }
  out.push_back('"');
  bool first = true;
  for (size_t i = 0; i < labels->size(); ++i) {
    if (!(bits >> i & 1)) continue;
    if (!first) out.push_back(',');
    first = false;
    const std::string& label = (*labels)[i];  // quoted; copy what is between the quotes
    out.append(label, 1, label.size() - 2);
  }
  out.push_back('"');
}

void AppendText(std::string& out, std::string_view bytes, const ValuePlan& plan,
                const RowOptions& options) {
  if (plan.json_text) {
    if (options.json == RowOptions::Json::kEmbedded && !bytes.empty()) {
      out.append(bytes);
    } else {
      AppendJsonString(out, bytes);
    }
    return;
  }
  AppendCharsetJsonString(out, bytes, plan.charset != nullptr ? *plan.charset : Utf8mb4Charset());
}

Status AppendMysqlJson(std::string& out, std::string_view bytes, const RowOptions& options) {
  if (options.json == RowOptions::Json::kEmbedded) return AppendJsonBinaryAsText(out, bytes);
  thread_local std::string text;
  text.clear();
  RC_RETURN_IF_ERROR(AppendJsonBinaryAsText(text, bytes));
  AppendJsonString(out, text);
  return Status::Ok();
}

/// GEOMETRY: MySQL stores a 4-byte SRID before the WKB; Debezium's Geometry struct in JSON.
Status AppendGeometry(std::string& out, std::string_view bytes) {
  if (bytes.size() < 4) {
    return Status::Corruption("GEOMETRY of " + std::to_string(bytes.size()) +
                              " bytes has no SRID");
  }
  out += "{\"wkb\":";
  AppendBase64Json(out, bytes.substr(4));
  out += ",\"srid\":";
  AppendUint(out, Le(reinterpret_cast<const unsigned char*>(bytes.data()), 4));
  out.push_back('}');
  return Status::Ok();
}

}  // namespace

size_t BinaryDecimalSize(uint32_t precision, uint32_t scale) {
  if (scale > precision) return 0;
  const uint32_t intg = precision - scale;
  return intg / 9 * 4 + kDigitBytes[intg % 9] + scale / 9 * 4 + kDigitBytes[scale % 9];
}

size_t FormatBinaryDecimal(std::string_view bytes, uint32_t precision, uint32_t scale, char* buf) {
  const size_t size = BinaryDecimalSize(precision, scale);
  if (size == 0 || precision > 65 || bytes.size() != size) return 0;
  unsigned char b[40];
  std::memcpy(b, bytes.data(), size);
  const bool negative = (b[0] & 0x80) == 0;
  b[0] ^= 0x80;
  if (negative) {
    for (size_t i = 0; i < size; ++i) b[i] = static_cast<unsigned char>(~b[i]);
  }
  const uint32_t intg = precision - scale;
  char* p = buf;
  if (negative) *p++ = '-';
  char* digits_start = p;
  size_t at = 0;
  bool leading = true;
  // Appends a group of `digits` digits (value < 10^digits); leading zeros of the integer part
  // are dropped.
  auto group = [&](size_t width, uint32_t digits, bool integer) -> bool {
    uint32_t v = static_cast<uint32_t>([&] {
      uint64_t x = 0;
      for (size_t i = 0; i < width; ++i) x = x << 8 | b[at + i];
      return x;
    }());
    at += width;
    if (v >= kPowers10[digits]) return false;
    for (uint32_t d = digits; d-- > 0;) {
      const char c = static_cast<char>('0' + v / kPowers10[d] % 10);
      if (integer && leading && c == '0') continue;
      leading = leading && !integer;
      *p++ = c;
    }
    return true;
  };
  if (intg % 9 != 0 && !group(kDigitBytes[intg % 9], intg % 9, true)) return 0;
  for (uint32_t i = 0; i < intg / 9; ++i) {
    if (!group(4, 9, true)) return 0;
  }
  if (p == digits_start) *p++ = '0';
  if (scale > 0) {
    *p++ = '.';
    for (uint32_t i = 0; i < scale / 9; ++i) {
      if (!group(4, 9, false)) return 0;
    }
    if (scale % 9 != 0 && !group(kDigitBytes[scale % 9], scale % 9, false)) return 0;
  }
  // No "-0.00": a negative sign only before a value that is not zero.
  if (negative) {
    bool zero = true;
    for (char* q = digits_start; q < p; ++q) zero = zero && (*q == '0' || *q == '.');
    if (zero) {
      std::memmove(buf, buf + 1, static_cast<size_t>(p - buf - 1));
      --p;
    }
  }
  return static_cast<size_t>(p - buf);
}

ValuePlan MakeValuePlan(const TableColumn& column, bool schema_unsigned,
                        const Charset* schema_charset, bool json_text,
                        const std::vector<std::string>* schema_json_labels) {
  ValuePlan plan;
  plan.type = column.real_type;
  switch (plan.type) {
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      plan.type = ColumnType::kBlob;
      break;
    case ColumnType::kVarString:
      plan.type = ColumnType::kVarchar;
      break;
    default:
      break;
  }
  plan.length = column.length;
  plan.scale = column.scale;
  plan.is_unsigned = column.is_unsigned.value_or(schema_unsigned);
  plan.nullable = column.nullable;
  plan.json_text = json_text;
  const Charset* from_map = column.collation != 0 ? CharsetForCollation(column.collation) : nullptr;
  plan.charset = from_map != nullptr ? from_map : schema_charset;
  if (plan.charset == nullptr) {
    // Nothing says: BLOB/TEXT could be either, so their bytes are kept exactly (base64).
    plan.charset = plan.type == ColumnType::kBlob ? &BinaryCharset() : &Utf8mb4Charset();
  }
  plan.json_labels =
      schema_json_labels != nullptr && !schema_json_labels->empty() ? schema_json_labels : nullptr;
  return plan;
}

Result<size_t> AppendValueJson(std::string& out, std::string_view data, const ValuePlan& plan,
                               const RowOptions& options) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t n = data.size();
  auto fixed = [&](size_t need) { return n >= need; };
  switch (plan.type) {
    case ColumnType::kTiny:
      if (!fixed(1)) return Short(1, n);
      plan.is_unsigned ? AppendUint(out, p[0]) : AppendInt(out, static_cast<int8_t>(p[0]));
      return size_t{1};
    case ColumnType::kShort:
      if (!fixed(2)) return Short(2, n);
      plan.is_unsigned ? AppendUint(out, Le(p, 2)) : AppendInt(out, static_cast<int16_t>(Le(p, 2)));
      return size_t{2};
    case ColumnType::kInt24: {
      if (!fixed(3)) return Short(3, n);
      const uint64_t v = Le(p, 3);
      plan.is_unsigned ? AppendUint(out, v)
                       : AppendInt(out, static_cast<int64_t>(v ^ 0x800000) - 0x800000);
      return size_t{3};
    }
    case ColumnType::kLong:
      if (!fixed(4)) return Short(4, n);
      plan.is_unsigned ? AppendUint(out, Le(p, 4)) : AppendInt(out, static_cast<int32_t>(Le(p, 4)));
      return size_t{4};
    case ColumnType::kLongLong:
      if (!fixed(8)) return Short(8, n);
      plan.is_unsigned ? AppendUint(out, Le(p, 8)) : AppendInt(out, static_cast<int64_t>(Le(p, 8)));
      return size_t{8};
    case ColumnType::kYear:
      if (!fixed(1)) return Short(1, n);
      AppendUint(out, p[0] == 0 ? 0 : 1900u + p[0]);
      return size_t{1};
    case ColumnType::kFloat: {
      if (!fixed(4)) return Short(4, n);
      float f;
      const uint32_t bits = static_cast<uint32_t>(Le(p, 4));
      std::memcpy(&f, &bits, 4);
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, f);
      if (f != f || f - f != 0) {
        AppendJsonString(out, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
      } else {
        out.append(buf, static_cast<size_t>(res.ptr - buf));
      }
      return size_t{4};
    }
    case ColumnType::kDouble: {
      if (!fixed(8)) return Short(8, n);
      double d;
      const uint64_t bits = Le(p, 8);
      std::memcpy(&d, &bits, 8);
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, d);
      if (d != d || d - d != 0) {
        AppendJsonString(out, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
      } else {
        out.append(buf, static_cast<size_t>(res.ptr - buf));
      }
      return size_t{8};
    }
    case ColumnType::kNewDecimal: {
      const size_t size = BinaryDecimalSize(plan.length, plan.scale);
      if (!fixed(size)) return Short(size, n);
      char buf[80];
      const size_t len = FormatBinaryDecimal(data.substr(0, size), plan.length, plan.scale, buf);
      if (len == 0) return Status::Corruption("DECIMAL digits out of range");
      AppendDecimalJson(out, std::string_view(buf, len), options);
      return size;
    }
    case ColumnType::kBit: {
      const size_t bytes = (plan.length + 7) / 8;
      if (bytes == 0 || bytes > 8) return Status::Corruption("BIT(" + std::to_string(plan.length) + ")");
      if (!fixed(bytes)) return Short(bytes, n);
      AppendBits(out, p, bytes, plan.length);
      return bytes;
    }
    case ColumnType::kDate:
      if (!fixed(3)) return Short(3, n);
      if (!internal::AppendDate(out, p, plan.nullable)) return Status::Corruption("invalid DATE");
      return size_t{3};
    case ColumnType::kTime:
      if (!fixed(3)) return Short(3, n);
      if (!internal::AppendTimeOld(out, p)) return Status::Corruption("invalid TIME");
      return size_t{3};
    case ColumnType::kDateTime:
      if (!fixed(8)) return Short(8, n);
      if (!internal::AppendDateTimeOld(out, p, plan.nullable)) return Status::Corruption("invalid DATETIME");
      return size_t{8};
    case ColumnType::kTimestamp:
      if (!fixed(4)) return Short(4, n);
      internal::AppendTimestampOld(out, p, plan.nullable);
      return size_t{4};
    case ColumnType::kTime2: {
      const size_t size = internal::Time2Size(plan.length);
      if (!fixed(size)) return Short(size, n);
      if (!internal::AppendTime2(out, p, plan.length)) return Status::Corruption("invalid TIME2");
      return size;
    }
    case ColumnType::kDateTime2: {
      const size_t size = internal::DateTime2Size(plan.length);
      if (!fixed(size)) return Short(size, n);
      if (!internal::AppendDateTime2(out, p, plan.length, plan.nullable)) {
        return Status::Corruption("invalid DATETIME2");
      }
      return size;
    }
    case ColumnType::kTimestamp2: {
      const size_t size = internal::Timestamp2Size(plan.length);
      if (!fixed(size)) return Short(size, n);
      if (!internal::AppendTimestamp2(out, p, plan.length, plan.nullable)) {
        return Status::Corruption("invalid TIMESTAMP2");
      }
      return size;
    }
    case ColumnType::kEnum:
      if (!fixed(plan.length)) return Short(plan.length, n);
      AppendEnum(out, Le(p, plan.length), plan.json_labels);
      return size_t{plan.length};
    case ColumnType::kSet:
      if (!fixed(plan.length)) return Short(plan.length, n);
      AppendSet(out, Le(p, plan.length), plan.json_labels);
      return size_t{plan.length};
    case ColumnType::kVarchar:
    case ColumnType::kString: {
      std::string_view bytes;
      size_t used = 0;
      Status error;
      if (!Prefixed(data, plan.length < 256 ? 1 : 2, bytes, used, error)) return error;
      if (plan.type == ColumnType::kString && plan.charset->kind == CharsetKind::kBinary &&
          bytes.size() < plan.length) {
        // BINARY(n) is stored without its trailing zero bytes; the column's value has them.
        thread_local std::string padded;
        padded.assign(bytes);
        padded.resize(plan.length, '\0');
        AppendBase64Json(out, padded);
      } else if (plan.charset->kind == CharsetKind::kBinary) {
        AppendBase64Json(out, bytes);
      } else {
        AppendText(out, bytes, plan, options);
      }
      return used;
    }
    case ColumnType::kBlob:
    case ColumnType::kJson:
    case ColumnType::kGeometry: {
      std::string_view bytes;
      size_t used = 0;
      Status error;
      if (!Prefixed(data, plan.length, bytes, used, error)) return error;
      if (plan.type == ColumnType::kJson) {
        RC_RETURN_IF_ERROR(AppendMysqlJson(out, bytes, options));
      } else if (plan.type == ColumnType::kGeometry) {
        RC_RETURN_IF_ERROR(AppendGeometry(out, bytes));
      } else if (plan.json_text) {
        AppendText(out, bytes, plan, options);
      } else {
        AppendCharsetJsonString(out, bytes, *plan.charset);
      }
      return used;
    }
    case ColumnType::kNull:
      out += "null";
      return size_t{0};
    default:
      return Status::InvalidArgument(std::string("column type ") +
                                     ColumnTypeName(static_cast<uint8_t>(plan.type)) +
                                     " is not supported in row images");
  }
}

}  // namespace rivven::mysql
