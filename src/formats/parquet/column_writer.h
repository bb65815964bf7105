#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/row_buffer.h"
#include "formats/parquet/schema_inference.h"

namespace rivven::formats::parquet {

struct ColumnChunkOptions {
  CompressionCodec codec = CompressionCodec::kSnappy;
  size_t page_bytes = 1u << 20;
  bool dictionary = true;
};

/// Dictionary limits per column chunk: past either, the chunk is written PLAIN.
inline constexpr size_t kMaxDictionaryEntries = 65535;
inline constexpr size_t kMaxDictionaryBytes = 1u << 20;
/// Statistics min/max longer than this are left out (the null count is still written).
inline constexpr size_t kMaxStatisticsValueBytes = 4096;

/// Encodes rows [begin, end) of one buffered column as a column chunk appended to `file` (its
/// current size is the chunk's file offset): an optional DICTIONARY_PAGE (PLAIN) and data
/// pages V1 (definition levels RLE; values PLAIN or RLE_DICTIONARY), each compressed with the
/// codec, split when a page's encoded values reach options.page_bytes. Returns the chunk's
/// metadata with statistics (null count, min/max in the type's sort order).
Result<ColumnMetaData> WriteColumnChunk(const BufferedColumn& column, const InferredColumn& type,
                                        size_t begin, size_t end, const ColumnChunkOptions& options,
                                        std::string* file);

/// The PLAIN-encoded size row `row` of `column` adds when written as `type` (nulls: 0), the
/// measure behind page and row-group sizes.
size_t EstimatedCellBytes(const BufferedColumn& column, ColumnKind kind, size_t row);

}  // namespace rivven::formats::parquet
