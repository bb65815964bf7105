#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "formats/parquet/parquet_metadata.h"

namespace rivven::formats {
class JsonCompactor;
}

namespace rivven::formats::parquet {

/// One leaf column of a flat schema, as the reader needs it.
struct ColumnDescriptor {
  std::string name;
  PhysicalType physical = PhysicalType::kByteArray;
  int32_t type_length = 0;  ///< FIXED_LEN_BYTE_ARRAY
  bool optional = true;     ///< definition level max 1 (else 0)
  std::optional<ConvertedType> converted_type;
  std::optional<LogicalType> logical_type;
  int32_t scale = 0;
  int32_t precision = 0;
};

/// Renders physical values of one column as JSON text, by its logical (or converted) type:
/// strings, enums → JSON strings; JSON → the embedded value (a JSON string when it is not
/// valid JSON); DATE → "YYYY-MM-DD"; TIMESTAMP → ISO-8601 with the unit's fraction digits
/// ("Z" when adjusted to UTC); TIME → "HH:MM:SS.fff..."; DECIMAL → its digits as a JSON string;
/// integers (signed or unsigned, any width) → numbers; FLOAT/DOUBLE → shortest round-trip
/// numbers ("NaN", "Infinity", "-Infinity" as strings); INT96 → a timestamp string with
/// nanoseconds; UUID → the canonical string; other binary → base64 string.
/// Not thread-safe (a JSON validator is kept for JSON columns).
class ValueRenderer {
 public:
  explicit ValueRenderer(const ColumnDescriptor& column);
  ~ValueRenderer();
  ValueRenderer(const ValueRenderer&) = delete;
  ValueRenderer& operator=(const ValueRenderer&) = delete;

  void Bool(bool v, std::string& out) const;
  void Int32(int32_t v, std::string& out) const;
  void Int64(int64_t v, std::string& out) const;
  void Int96(const char* bytes12, std::string& out) const;
  void Float(float v, std::string& out) const;
  void Double(double v, std::string& out) const;
  /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
  void Bytes(std::string_view v, std::string& out);

  enum class Style {
    kNumber,
    kUnsigned,
    kString,
    kJson,
    kBase64,
    kDate,
    kTimestamp,
    kTime,
    kDecimal,
    kUuid,
    kFloat16,
  };
  Style style() const { return style_; }

 private:
  /// Int32 and Int64: `Unsigned` is their unsigned twin (UINT_32 / UINT_64 columns).
  template <typename Unsigned>
  void Integer(int64_t v, std::string& out) const;
  Style style_ = Style::kNumber;
  TimeUnit unit_ = TimeUnit::kMillis;
  bool utc_ = false;
  int32_t scale_ = 0;
  std::unique_ptr<JsonCompactor> json_;
  std::string scratch_;
};

/// Appends `days` since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian).
void AppendDate(std::string& out, int64_t days);
/// Appends a timestamp `value` in `unit` since the epoch as YYYY-MM-DDTHH:MM:SS.f[Z].
void AppendTimestamp(std::string& out, int64_t value, TimeUnit unit, bool utc);
/// Appends base64 (RFC 4648, padded).
void AppendBase64(std::string& out, std::string_view bytes);
/// Appends the decimal digits of a big-endian two's complement integer with `scale`.
void AppendDecimal(std::string& out, std::string_view big_endian, int32_t scale);

}  // namespace rivven::formats::parquet
