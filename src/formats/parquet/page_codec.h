#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "formats/parquet/parquet_metadata.h"

namespace rivven::formats::parquet {

/// Compresses one page body with a Parquet codec, appending to `out`: SNAPPY as raw snappy
/// (no framing), GZIP as one gzip member (level 6), ZSTD as one zstd frame (level 3),
/// UNCOMPRESSED as is. InvalidArgument for codecs this library does not write.
Status CompressPage(CompressionCodec codec, std::string_view in, std::string* out);

/// Decompresses one page body into exactly `uncompressed_size` bytes (`out` is replaced):
/// Corruption when the data does not decode to that size; InvalidArgument ("not supported")
/// for LZO, BROTLI, LZ4 and LZ4_RAW. Never allocates more than `uncompressed_size` (the caller
/// bounds it).
Status DecompressPage(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                      std::string* out);

}  // namespace rivven::formats::parquet
