#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace rivven::formats::parquet {

/// What one top-level member of a record held.
enum class CellKind : uint8_t {
  kNull = 0,    ///< null, or the member was missing
  kInt = 1,     ///< an integer that fits int64 (payload)
  kDouble = 2,  ///< a number with a fraction or exponent (its text in the arena)
  kBool = 3,    ///< payload 0 / 1
  kString = 4,  ///< unescaped UTF-8 text in the arena
  kNested = 5,  ///< an object or array: compact JSON text in the arena
  kBigInt = 6,  ///< an integer beyond int64: its digits in the arena
};

/// One value: 16 bytes, text kept in the column's arena.
struct Cell {
  uint64_t payload = 0;  ///< kInt: the value; kBool: 0/1; text kinds: offset in the arena
  uint32_t length = 0;   ///< text kinds: bytes in the arena
  CellKind kind = CellKind::kNull;
};

/// The values of one top-level field, one cell per row (rows where it is missing hold kNull).
struct BufferedColumn {
  std::string name;
  std::vector<Cell> cells;
  std::string arena;
  uint8_t kinds_seen = 0;  ///< bit (1 << CellKind) for every kind held

  std::string_view Text(const Cell& c) const {
    return std::string_view(arena).substr(c.payload, c.length);
  }
};

/// Records parsed into columns (in the order fields first appear), kept until a Parquet file is
/// written from them: the schema is decided from all rows, so nothing is encoded earlier.
/// Memory is ~16 bytes per cell plus the text of strings, nested values and decimals.
/// Not thread-safe; owned by a Writer.
class RowBuffer {
 public:
  RowBuffer();
  ~RowBuffer();

  /// Adds one record: a JSON object. InvalidArgument (and nothing kept) when it is not JSON,
  /// not an object, or repeats a key.
  Status Append(std::string_view json_object);

  size_t rows() const { return rows_; }
  /// Bytes held by the cells and texts.
  size_t bytes() const { return bytes_; }
  std::vector<BufferedColumn>& columns() { return columns_; }
  const std::vector<BufferedColumn>& columns() const { return columns_; }
  /// Forgets every row and column.
  void Clear();

 private:
  struct Parser;
  Status Parse(std::string_view compact);
  void Rollback(size_t columns_before);
  BufferedColumn& ColumnFor(std::string_view key, size_t position);

  std::unique_ptr<Parser> parser_;
  std::vector<BufferedColumn> columns_;
  std::unordered_map<std::string, size_t> index_;
  size_t rows_ = 0;
  size_t bytes_ = 0;
};

}  // namespace rivven::formats::parquet
