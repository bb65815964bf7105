#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::formats::parquet {

/// Element and field types of the Thrift compact protocol (the low nibble of a field header).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

/// Writes the Thrift compact protocol (the encoding of Parquet's footer and page headers):
/// field headers as id deltas, integers as zigzag varints, binaries length-prefixed, lists with
/// their size in the header. Appends to a caller-owned string; one struct nesting stack.
/// Not thread-safe; a short-lived helper of one serialisation.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  /// Starts a top-level struct or a struct element of a list.
  void BeginStruct();
  /// Writes the stop byte and returns to the enclosing struct's field ids.
  void EndStruct();

  void FieldBool(int16_t id, bool v);
  void FieldI32(int16_t id, int32_t v) {
    FieldHeader(id, ThriftType::kI32);
    Varint(ZigZag(v));
  }
  void FieldI64(int16_t id, int64_t v) {
    FieldHeader(id, ThriftType::kI64);
    Varint(ZigZag(v));
  }
  void FieldDouble(int16_t id, double v);
  void FieldBinary(int16_t id, std::string_view v) {
    FieldHeader(id, ThriftType::kBinary);
    Binary(v);
  }
  /// A struct-valued field: follow with its fields and EndStruct.
  void FieldStruct(int16_t id) {
    FieldHeader(id, ThriftType::kStruct);
    BeginStruct();
  }
  /// A list-valued field of `n` elements: follow with exactly `n` element writes.
  void FieldList(int16_t id, ThriftType element, size_t n) {
    FieldHeader(id, ThriftType::kList);
    ListHeader(element, n);
  }

  // List elements.
  void I32(int32_t v) { Varint(ZigZag(v)); }
  void I64(int64_t v) { Varint(ZigZag(v)); }
  void Binary(std::string_view v);

  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v);

 private:
  void FieldHeader(int16_t id, ThriftType type);
  void ListHeader(ThriftType element, size_t n);

  std::string* out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;
};

/// Reads the Thrift compact protocol from a byte range, bounds-checked. Errors are sticky: the
/// first problem (truncation, an oversized length, nesting deeper than kMaxDepth) is kept, every
/// later read returns zero values and NextField returns kStop, so decoding loops end; callers
/// check status() once at the end. Not thread-safe.
class CompactReader {
 public:
  static constexpr int kMaxDepth = 32;

  struct Field {
    int16_t id = 0;
    ThriftType type = ThriftType::kStop;
  };

  explicit CompactReader(std::string_view data) : data_(data) {}

  /// Enters a struct (top level or a struct element of a list / a struct field).
  void BeginStruct();
  /// Leaves the struct entered last (call after NextField returned kStop).
  void EndStruct();
  /// The next field header of the current struct; type kStop at its end (or after an error).
  Field NextField();
  /// The value of a bool field (carried in its header's type).
  static bool FieldBoolValue(const Field& f) { return f.type == ThriftType::kBoolTrue; }

  bool Bool();  ///< a bool list element (one byte)
  int8_t Byte();
  int16_t I16() { return static_cast<int16_t>(ZigZagDecode(Varint())); }
  int32_t I32() { return static_cast<int32_t>(ZigZagDecode(Varint())); }
  int64_t I64() { return ZigZagDecode(Varint()); }
  double Double();
  /// Bytes of a binary/string value (a view into the input).
  std::string_view Binary();
  /// A list (or set) header: the element type and count. The count is bounded by the bytes
  /// left (every element takes at least one byte), so sizing a vector by it is safe.
  uint32_t ListHeader(ThriftType* element);
  /// Skips a value of `type` (structs, lists, sets and maps recursively).
  void Skip(ThriftType type);

  uint64_t Varint();
  static int64_t ZigZagDecode(uint64_t v) {
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }

  /// Bytes consumed so far.
  size_t position() const { return pos_; }
  bool ok() const { return error_.empty(); }
  /// Corruption naming the problem and its byte offset in the input, or Ok.
  Status status() const;
  /// Records a problem found by the caller (a missing required field, a bad value).
  void Fail(std::string what);

 private:
  bool Need(size_t n);

  std::string_view data_;
  size_t pos_ = 0;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace rivven::formats::parquet
