#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/value_render.h"

namespace rivven::formats::parquet {

/// A dictionary page's values, each already rendered as JSON text.
class RenderedDictionary {
 public:
  bool loaded() const { return loaded_; }
  size_t size() const { return ends_.size(); }
  std::string_view Entry(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }
  /// Renders `count` PLAIN values of `data`. Corruption when the data holds fewer.
  Status Load(const ColumnDescriptor& column, ValueRenderer& renderer, std::string_view data,
              size_t count);

 private:
  bool loaded_ = false;
  std::string text_;
  std::vector<uint32_t> ends_;
};

/// The non-null values of one data page, decoded one at a time in order and rendered as JSON.
/// Views the page bytes, which the caller keeps alive. Errors (Corruption) say what ran out or
/// is malformed; the caller adds the column and position.
class ValueDecoder {
 public:
  virtual ~ValueDecoder() = default;
  /// Appends the next value's JSON text to `out`.
  virtual Status AppendNext(std::string& out) = 0;
};

/// A decoder for `count` values of `data` in `encoding` (PLAIN, PLAIN_DICTIONARY /
/// RLE_DICTIONARY with `dictionary`, RLE for booleans, DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT). InvalidArgument naming the
/// encoding when it is not supported for the column's type.
Result<std::unique_ptr<ValueDecoder>> MakeValueDecoder(const ColumnDescriptor& column,
                                                       ValueRenderer& renderer, Encoding encoding,
                                                       std::string_view data, size_t count,
                                                       const RenderedDictionary& dictionary);

}  // namespace rivven::formats::parquet
