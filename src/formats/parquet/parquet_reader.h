#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::formats::parquet {

class ColumnChunkReader;
class ValueRenderer;
struct ColumnDescriptor;
struct FileMetaData;

/// Reads a complete Parquet file held in memory, row by row, each row as one compact JSON
/// object ({"column":value,...} in schema order; see value_render.h for how each type is
/// rendered). Flat schemas only (top-level primitive columns, REQUIRED or OPTIONAL).
///
/// Every offset, length and count in the file is checked: a corrupt file gives a Corruption
/// error naming what and where, an unsupported feature InvalidArgument naming it ("parquet:
/// encoding DELTA_BYTE_ARRAY of column 'x' is not supported"); allocations are bounded by the
/// file size and kMaxPageBytes. Owns the file bytes. Not thread-safe; one owner.
class Reader {
 public:
  /// Parses the footer and schema of a complete file held in memory. Corruption /
  /// InvalidArgument with a clear message naming what.
  static Result<std::unique_ptr<Reader>> Open(std::string file_bytes);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  int64_t num_rows() const;
  /// Column names in schema order (top-level fields).
  std::vector<std::string> column_names() const;
  /// Every row as one compact JSON object, in file order; stops at the first error or when fn
  /// returns false.
  Status ForEachRow(const std::function<bool(std::string_view json_row)>& fn);
  /// The rows from `first_row` (0-based) on, as ForEachRow. The row fn returned false for
  /// counts as delivered: a call with first_row = that row + 1 continues without decoding
  /// again (the current row group stays decoded between calls); any other first_row starts at
  /// its row group and decodes up to it. first_row >= num_rows(): no rows.
  Status ForEachRowFrom(int64_t first_row,
                        const std::function<bool(std::string_view json_row)>& fn);
  /// The writer's name from the footer (created_by), or "".
  const std::string& created_by() const { return created_by_; }

 private:
  Reader();
  Status Init();
  Status StartRowGroup(size_t group);

  std::string file_;
  std::unique_ptr<FileMetaData> meta_;
  std::vector<ColumnDescriptor> columns_;
  std::vector<std::unique_ptr<ValueRenderer>> renderers_;
  std::vector<std::string> keys_;  // `"name":` per column, with the leading comma from the 2nd
  std::string created_by_;
  size_t footer_start_ = 0;

  // Position: the row group being read and the next row.
  std::vector<std::unique_ptr<ColumnChunkReader>> chunks_;
  size_t group_ = 0;
  int64_t group_first_row_ = 0;
  int64_t group_rows_left_ = 0;
  int64_t next_row_ = -1;  // -1: no row group started
  std::string row_;
};

}  // namespace rivven::formats::parquet
