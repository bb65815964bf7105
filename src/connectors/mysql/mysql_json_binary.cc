// MySQL's binary JSON, per sql/json_binary.h ("JSON binary format") of MySQL 5.7/8.0:
//
//   doc     ::= type value
//   type    ::= 0x00 small object | 0x01 large object | 0x02 small array | 0x03 large array
//             | 0x04 literal | 0x05 int16 | 0x06 uint16 | 0x07 int32 | 0x08 uint32
//             | 0x09 int64 | 0x0a uint64 | 0x0b double | 0x0c string | 0x0f opaque
//   object  ::= count size key-entry* value-entry* key* value*   (small: 2-byte fields,
//   array   ::= count size value-entry* value*                     large: 4-byte fields)
//   key-entry   ::= key-offset(2|4) key-length(2)
//   value-entry ::= type offset-or-inlined-value(2|4)
//   string  ::= data-length(variable, 7 bits a byte, low first) utf8mb4-data
//   opaque  ::= field-type(1) data-length(variable) data
//
// Offsets are from the start of the object or array (its count field). Literals and 16-bit
// integers are inlined in value entries; in large containers 32-bit integers too.
#include "connectors/mysql/mysql_json_binary.h"

#include <charconv>
#include <cstring>

#include "base/json_escape.h"
#include "connectors/mysql/binlog_temporal.h"
#include "connectors/mysql/binlog_value.h"
#include "connectors/mysql/mysql_charset.h"

namespace rivven::mysql {
namespace {

constexpr int kMaxDepth = 150;  // MySQL refuses documents deeper than 100

enum : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

inline uint64_t Le(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

class Printer {
 public:
  Printer(std::string& out, std::string_view doc) : out_(out), doc_(doc) {}

  /// The value of `type` whose bytes start at `at` and end before `end`.
  bool Value(uint8_t type, size_t at, size_t end, int depth) {
    if (depth > kMaxDepth) return Fail(at, "nested deeper than " + std::to_string(kMaxDepth));
    switch (type) {
      case kSmallObject:
      case kLargeObject:
        return Container(at, end, type == kLargeObject, true, depth);
      case kSmallArray:
      case kLargeArray:
        return Container(at, end, type == kLargeArray, false, depth);
      case kLiteral:
        if (!Need(at, 1, end)) return false;
        return Literal(Byte(at), at);
      case kInt16:
        if (!Need(at, 2, end)) return false;
        return Int(static_cast<int16_t>(Le(P(at), 2)));
      case kUint16:
        if (!Need(at, 2, end)) return false;
        return Uint(Le(P(at), 2));
      case kInt32:
        if (!Need(at, 4, end)) return false;
        return Int(static_cast<int32_t>(Le(P(at), 4)));
      case kUint32:
        if (!Need(at, 4, end)) return false;
        return Uint(Le(P(at), 4));
      case kInt64:
        if (!Need(at, 8, end)) return false;
        return Int(static_cast<int64_t>(Le(P(at), 8)));
      case kUint64:
        if (!Need(at, 8, end)) return false;
        return Uint(Le(P(at), 8));
      case kDouble: {
        if (!Need(at, 8, end)) return false;
        double d;
        const uint64_t bits = Le(P(at), 8);
        std::memcpy(&d, &bits, 8);
        if (d != d || d - d != 0) return Fail(at, "a double that is not finite");
        char buf[32];
        const auto res = std::to_chars(buf, buf + sizeof buf, d);
        out_.append(buf, static_cast<size_t>(res.ptr - buf));
        return true;
      }
      case kString: {
        size_t len = 0;
        size_t data = 0;
        if (!VarLength(at, end, len, data)) return false;
        AppendJsonString(out_, doc_.substr(data, len));
        return true;
      }
      case kOpaque: {
        if (!Need(at, 1, end)) return false;
        const uint8_t field_type = Byte(at);
        size_t len = 0;
        size_t data = 0;
        if (!VarLength(at + 1, end, len, data)) return false;
        return Opaque(field_type, doc_.substr(data, len), at);
      }
      default:
        return Fail(at, "unknown value type 0x" + Hex(type));
    }
  }

  const Status& status() const { return status_; }

 private:
  const unsigned char* P(size_t at) const {
    return reinterpret_cast<const unsigned char*>(doc_.data()) + at;
  }
  uint8_t Byte(size_t at) const { return static_cast<uint8_t>(doc_[at]); }

  static std::string Hex(uint8_t b) {
    static const char kDigits[] = "0123456789abcdef";
    return std::string{kDigits[b >> 4], kDigits[b & 15]};
  }

  bool Fail(size_t at, const std::string& why) {
    if (status_.ok()) {
      status_ = Status::Corruption("binary JSON: " + why + " at byte " + std::to_string(at));
    }
    return false;
  }

  bool Need(size_t at, size_t n, size_t end) {
    if (at > end || end - at < n) {
      return Fail(at, "needs " + std::to_string(n) + " bytes, " +
                          std::to_string(at > end ? 0 : end - at) + " left");
    }
    return true;
  }

  /// A length of 1-5 bytes, 7 bits each, least significant first.
  bool VarLength(size_t at, size_t end, size_t& len, size_t& data) {
    uint64_t v = 0;
    for (int i = 0; i < 5; ++i) {
      if (!Need(at + i, 1, end)) return false;
      const uint8_t b = Byte(at + i);
      v |= uint64_t{b & 0x7Fu} << (7 * i);
      if ((b & 0x80) == 0) {
        data = at + i + 1;
        if (v > end - data) return Fail(at, "a string of " + std::to_string(v) + " bytes, " +
                                                std::to_string(end - data) + " left");
        len = v;
        return true;
      }
    }
    return Fail(at, "a length longer than 5 bytes");
  }

  bool Literal(uint8_t v, size_t at) {
    switch (v) {
      case 0: out_ += "null"; return true;
      case 1: out_ += "true"; return true;
      case 2: out_ += "false"; return true;
      default: return Fail(at, "unknown literal 0x" + Hex(v));
    }
  }

  bool Int(int64_t v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<size_t>(res.ptr - buf));
    return true;
  }
  bool Uint(uint64_t v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<size_t>(res.ptr - buf));
    return true;
  }

  /// DECIMAL: a number; temporal types: strings as MySQL prints them; anything else MySQL's
  /// "base64:type<N>:<data>" string.
  bool Opaque(uint8_t field_type, std::string_view data, size_t at) {
    switch (static_cast<ColumnType>(field_type)) {
      case ColumnType::kNewDecimal: {
        if (data.size() < 2) return Fail(at, "an opaque DECIMAL without precision and scale");
        const uint32_t precision = static_cast<uint8_t>(data[0]);
        const uint32_t scale = static_cast<uint8_t>(data[1]);
        char buf[80];
        const size_t len = precision <= 65 && scale <= precision
                               ? FormatBinaryDecimal(data.substr(2), precision, scale, buf)
                               : 0;
        if (len == 0) return Fail(at, "an opaque DECIMAL that is not one");
        out_.append(buf, len);
        return true;
      }
      case ColumnType::kDate:
      case ColumnType::kTime:
      case ColumnType::kDateTime:
      case ColumnType::kTimestamp: {
        if (data.size() < 8) return Fail(at, "an opaque date or time of " + std::to_string(data.size()) + " bytes");
        const auto packed = static_cast<int64_t>(Le(reinterpret_cast<const unsigned char*>(data.data()), 8));
        if (field_type == static_cast<uint8_t>(ColumnType::kDate)) {
          internal::AppendPackedDate(out_, packed);
        } else if (field_type == static_cast<uint8_t>(ColumnType::kTime)) {
          internal::AppendPackedTime(out_, packed);
        } else {
          internal::AppendPackedDateTime(out_, packed);
        }
        return true;
      }
      default: {
        std::string text = "base64:type" + std::to_string(field_type) + ":";
        std::string b64;
        AppendBase64Json(b64, data);
        text.append(b64, 1, b64.size() - 2);
        AppendJsonString(out_, text);
        return true;
      }
    }
  }

  bool Container(size_t at, size_t end, bool large, bool object, int depth) {
    const size_t w = large ? 4 : 2;
    if (!Need(at, 2 * w, end)) return false;
    const uint64_t count = Le(P(at), w);
    const uint64_t size = Le(P(at + w), w);
    if (size < 2 * w || size > end - at) {
      return Fail(at, "a container of " + std::to_string(size) + " bytes, " +
                          std::to_string(end - at) + " left");
    }
    const size_t limit = at + size;
    const size_t key_entry = w + 2;
    const size_t value_entry = 1 + w;
    const uint64_t header = 2 * w + count * ((object ? key_entry : 0) + value_entry);
    if (count > size || header > size) {
      return Fail(at, std::to_string(count) + " elements do not fit in " + std::to_string(size) +
                          " bytes");
    }
    out_.push_back(object ? '{' : '[');
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out_.push_back(',');
      if (object) {
        const size_t entry = at + 2 * w + i * key_entry;
        const uint64_t key_offset = Le(P(entry), w);
        const uint64_t key_len = Le(P(entry + w), 2);
        if (key_offset > size || key_len > size - key_offset) {
          return Fail(entry, "a key outside its object");
        }
        AppendJsonString(out_, doc_.substr(at + key_offset, key_len));
        out_.push_back(':');
      }
      const size_t entry = at + 2 * w + (object ? count * key_entry : 0) + i * value_entry;
      const uint8_t type = Byte(entry);
      const bool inlined = type == kLiteral || type == kInt16 || type == kUint16 ||
                           (large && (type == kInt32 || type == kUint32));
      if (inlined) {
        if (!Value(type, entry + 1, entry + 1 + w, depth + 1)) return false;
        continue;
      }
      const uint64_t offset = Le(P(entry + 1), w);
      if (offset < header || offset >= size) return Fail(entry, "a value outside its container");
      if (!Value(type, at + offset, limit, depth + 1)) return false;
    }
    out_.push_back(object ? '}' : ']');
    return true;
  }

  std::string& out_;
  std::string_view doc_;
  Status status_;
};

}  // namespace

Status AppendJsonBinaryAsText(std::string& out, std::string_view bytes) {
  if (bytes.empty()) {
    out += "null";
    return Status::Ok();
  }
  Printer printer(out, bytes);
  if (!printer.Value(static_cast<uint8_t>(bytes[0]), 1, bytes.size(), 0)) return printer.status();
  return Status::Ok();
}

}  // namespace rivven::mysql
