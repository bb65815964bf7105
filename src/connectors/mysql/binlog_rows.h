#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/mysql/binlog_value.h"

/// Row images of WRITE/UPDATE/DELETE_ROWS events → JSON objects, appended straight into the
/// caller's buffers.
namespace rivven::mysql {

struct Charset;
struct RowsEvent;
struct TableMap;

/// What the connector knows of a column besides the table map: from the table map's optional
/// metadata when binlog_row_metadata=FULL, otherwise from information_schema.COLUMNS.
struct ColumnSchema {
  std::string name;
  bool is_unsigned = false;
  const Charset* charset = nullptr;  ///< character columns; null = the table map's, else utf8mb4
  std::vector<std::string> labels;   ///< ENUM values / SET members in definition order
  bool json = false;                 ///< MariaDB JSON (LONGTEXT CHECK json_valid)
};

/// A table's columns as the row decoder uses them, with the JSON text that does not change
/// per row (`"name":`, quoted labels) escaped once. Immutable once built; safe to share.
class TableSchema {
 public:
  TableSchema() = default;
  /// `key_columns`: indexes into `columns` of the primary key, in key order (empty: no key).
  TableSchema(std::string database, std::string table, std::vector<ColumnSchema> columns,
              std::vector<uint32_t> key_columns);
  /// Everything a table map with binlog_row_metadata=FULL says. Columns the map does not name
  /// are called "_<N>" (N from 0): visibly unnamed rather than silently misnamed.
  static TableSchema FromTableMap(const TableMap& map);

  const std::string& database() const { return database_; }
  const std::string& table() const { return table_; }
  const std::vector<ColumnSchema>& columns() const { return columns_; }
  const std::vector<uint32_t>& key_columns() const { return key_columns_; }
  /// `"name":` of column i, JSON-escaped, padded for AppendPadded.
  const std::string& json_name(size_t i) const { return json_names_[i]; }
  const std::vector<std::string>& json_labels(size_t i) const { return json_labels_[i]; }

 private:
  std::string database_;
  std::string table_;
  std::vector<ColumnSchema> columns_;
  std::vector<uint32_t> key_columns_;
  std::vector<std::string> json_names_;
  std::vector<std::vector<std::string>> json_labels_;
};

/// Reads the row images of one Rows event in order: one image per row for writes (the new
/// row) and deletes (the old row), two per row for updates (before, then after). Keeps its
/// buffers from event to event, so a stream of events allocates only while tables grow.
/// One per source thread; not thread-safe.
class RowsReader {
 public:
  explicit RowsReader(RowOptions options = {}) : options_(options) {}

  /// Starts on `event`, whose `table` must be set; `schema` must have the table map's column
  /// count (FailedPrecondition otherwise: the schema is stale) and outlive the reading. The
  /// per-column plans are kept while the map and the schema stay the same objects.
  Status Start(const RowsEvent& event, const TableSchema& schema);
  /// Forgets the kept plans: call before a TableSchema that Start saw is destroyed (its
  /// address could be reused by another).
  void Invalidate() {
    planned_map_.reset();
    schema_ = nullptr;
  }
  bool done() const { return pos_ >= rows_.size(); }
  /// For updates, whether the next image is the after image.
  bool next_is_after() const { return after_next_; }

  /// Appends the next image as a JSON object `{"id":1,"name":"x"}`, columns in table order;
  /// columns the image does not hold (binlog_row_image=MINIMAL/NOBLOB) are left out.
  /// Malformed images are kCorruption naming the table, row and column; `out` then holds a
  /// partial object the caller should drop.
  Status AppendImage(std::string& out);
  /// Skips the next image.
  Status SkipImage();
  /// Appends the key object `{"id":1}` of the image the last AppendImage wrote into
  /// `image_out` (the same string, unchanged since), copying the values' JSON from there.
  /// Key columns the image lacks are null. `out` must be another string. Returns false, and
  /// appends nothing, when the schema has no key columns (the record key is then null).
  bool AppendKey(std::string& out, const std::string& image_out) const;

 private:
  Status ReadImage(std::string& out, bool write);

  RowOptions options_;
  const TableSchema* schema_ = nullptr;
  const TableMap* map_ = nullptr;
  std::vector<ValuePlan> plans_;
  std::shared_ptr<const TableMap> planned_map_;  ///< the map plans_ were made for
  std::string_view present_before_;
  std::string_view present_after_;
  std::string_view rows_;
  size_t pos_ = 0;
  size_t row_index_ = 0;
  bool update_ = false;
  bool after_next_ = false;
  /// Offsets of each column's value in the last image, relative to its '{' (0,0: absent).
  std::vector<uint32_t> value_begin_;
  std::vector<uint32_t> value_end_;
  size_t image_start_ = 0;
};

}  // namespace rivven::mysql
