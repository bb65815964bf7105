#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/value_decoder.h"
#include "formats/parquet/value_render.h"

namespace rivven::formats::parquet {

/// Limits that keep a corrupt or hostile file from allocating without bound.
inline constexpr size_t kMaxPageBytes = 256u << 20;  ///< uncompressed size of one page
inline constexpr size_t kMaxPageValues = 1u << 24;   ///< values (rows) of one data page

/// Reads the values of one flat column chunk, page by page, rendering each as JSON text:
/// dictionary page first when there is one, then data pages V1 or V2 (definition levels RLE,
/// values in any encoding value_decoder.h supports), each decompressed with the chunk's codec.
/// Only one page is held decompressed at a time. Every size and count from the file is checked
/// against the chunk's bytes and the row group's rows. Views the file bytes (kept alive by the
/// caller). Not thread-safe.
class ColumnChunkReader {
 public:
  /// `chunk`: the chunk's bytes, starting at file offset `chunk_offset`. `rows`: the row
  /// group's row count (the values this chunk must hold).
  ColumnChunkReader(const ColumnDescriptor& column, ValueRenderer& renderer, std::string_view chunk,
                    uint64_t chunk_offset, CompressionCodec codec, int64_t rows, size_t row_group);

  /// Appends the next row's value: its JSON text, or `null`.
  Status AppendNext(std::string& out);
  /// Skips the next `n` values (decoding them).
  Status Skip(int64_t n);

 private:
  Status NextDataPage();
  Status Fail(uint64_t at, const std::string& what) const;
  Status ReadLevels(std::string_view levels, bool length_prefixed, size_t count, size_t* consumed);

  const ColumnDescriptor& column_;
  ValueRenderer& renderer_;
  std::string_view chunk_;
  uint64_t chunk_offset_;
  CompressionCodec codec_;
  int64_t rows_left_;
  size_t row_group_;

  size_t pos_ = 0;  // next page header in chunk_
  RenderedDictionary dictionary_;
  std::string page_;  // the decompressed page (values of V2)
  std::vector<uint8_t> defs_;
  size_t page_values_ = 0;
  size_t page_at_ = 0;
  std::unique_ptr<ValueDecoder> decoder_;
  uint64_t page_offset_ = 0;  // file offset of the current page's header
  std::string scratch_;
};

}  // namespace rivven::formats::parquet
