#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::formats::parquet {

class RowBuffer;

enum class Codec { kUncompressed, kSnappy, kGzip, kZstd };

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  /// A row group is closed when its encoded size reaches this (counted as the PLAIN size of its
  /// values, before dictionary encoding and compression).
  size_t row_group_bytes = 64u << 20;
  size_t page_bytes = 1u << 20;  ///< data page target size (encoded values, before compression)
  bool dictionary = true;        ///< dictionary-encode columns while the dictionary stays small
};

/// Builds one Parquet file in memory from records whose values are JSON objects.
///
/// The records are parsed on Append and kept (about 16 bytes per field plus the text of strings)
/// until Finish, which infers the schema from all of them (see README.md: integers INT64,
/// other numbers DOUBLE, booleans BOOLEAN, strings and nested values STRING, incompatible mixes
/// STRING of each value's JSON text; all columns OPTIONAL, in order of first appearance) and
/// encodes the file. Nothing is durable: the caller stores the bytes Finish returns.
/// Not thread-safe; one owner.
class Writer {
 public:
  explicit Writer(WriterOptions options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// One record's value: a JSON object. InvalidArgument naming the problem (not an object, not
  /// JSON) and nothing kept.
  Status Append(std::string_view json_object);
  size_t rows() const;
  /// Bytes held so far (to decide when to finish a file).
  size_t buffered_bytes() const;
  /// The complete file (magic, row groups, footer). The writer is empty afterwards and can be
  /// reused.
  Result<std::string> Finish();

 private:
  WriterOptions options_;
  std::unique_ptr<RowBuffer> rows_;
};

}  // namespace rivven::formats::parquet
