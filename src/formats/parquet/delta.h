#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rivven::formats::parquet {

/// Decodes DELTA_BINARY_PACKED (Parquet's delta encoding of INT32/INT64; also the lengths of
/// DELTA_LENGTH_BYTE_ARRAY and the prefix lengths of DELTA_BYTE_ARRAY). Bounds-checked.
/// Arithmetic wraps modulo 2^64 as the format defines (INT32 values are the low 32 bits).
class DeltaBinaryPackedDecoder {
 public:
  explicit DeltaBinaryPackedDecoder(std::string_view data) : data_(data) {}

  /// Decodes the whole stream into `out` (appended). `max_values`: the most values the caller
  /// accepts (a stream claiming more is corrupt). False with what() on malformed data.
  bool DecodeAll(size_t max_values, std::vector<int64_t>* out);

  const char* what() const { return what_; }
  /// Bytes the stream took (valid after DecodeAll succeeded).
  size_t position() const { return pos_; }

 private:
  bool Uleb(uint64_t* v);

  std::string_view data_;
  size_t pos_ = 0;
  const char* what_ = "";
};

/// Decodes DELTA_LENGTH_BYTE_ARRAY (`n` values) into views of `data`. False with `*what`.
bool DecodeDeltaLengthByteArray(std::string_view data, size_t n, std::vector<std::string_view>* out,
                                const char** what);
/// Decodes DELTA_BYTE_ARRAY (`n` values, prefix-compressed): values are materialised into
/// `arena` (cleared first); `out` gets views into it. False with `*what`.
bool DecodeDeltaByteArray(std::string_view data, size_t n, std::string* arena,
                          std::vector<std::string_view>* out, const char** what);

}  // namespace rivven::formats::parquet
