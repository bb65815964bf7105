#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/pg/pg_connection.h"
#include "connectors/postgres/change_event.h"
#include "connectors/postgres/pg_value.h"

namespace rivven::postgres {

/// One row read by the snapshot: its table and its values (text format), unescaped into one
/// buffer. Rows are reused from chunk to chunk, so their buffers are allocated once.
struct SnapshotRow {
  size_t table = 0;
  std::string storage;
  std::vector<CopyField> fields;

  size_t size() const { return fields.size(); }
  /// Column `i`'s text, nullopt for NULL.
  std::optional<std::string_view> value(size_t i) const {
    if (fields[i].null) return std::nullopt;
    return std::string_view(storage).substr(fields[i].offset, fields[i].length);
  }
  /// The row as the event builder takes it (views into this row).
  void ToRowText(RowText* out) const {
    out->values.resize(size());
    out->unchanged.assign(size(), false);
    for (size_t i = 0; i < size(); ++i) out->values[i] = value(i);
  }
};

/// Reads tables in chunks ordered by primary key, inside one REPEATABLE READ transaction, with
/// `COPY (SELECT ... WHERE (key) > (last) ORDER BY key LIMIT n) TO STDOUT`. A table without a
/// primary key is read in ranges of heap pages (`ctid` ranges, a TID range scan), resumed at
/// the next page range; `after` then holds the first page not yet read.
class SnapshotReader {
 public:
  SnapshotReader(pg::Connection& conn, const std::vector<TableShape>& tables, int64_t chunk_rows);

  /// Starts the transaction; with `snapshot_name`, it sees exactly the exported snapshot.
  Status Begin(const std::string& snapshot_name);
  /// Positions the reader at table `table`, after key `after` (nullopt: from its start).
  void Seek(size_t table, std::optional<std::vector<std::optional<std::string>>> after);
  /// Reads the next chunk into `rows` (moving to the next table when one is done), reusing the
  /// rows already there; `*count` is how many it holds (rows past it are stale). Returns false
  /// once every table is read.
  Result<bool> NextChunk(std::vector<SnapshotRow>* rows, size_t* count);
  Status Commit();

  size_t table() const { return table_; }
  /// The resume point before / after the chunk NextChunk last read (in that chunk's table):
  /// the key of its last row, or for keyless tables the first page of the chunk / after it.
  const std::optional<std::vector<std::optional<std::string>>>& chunk_start() const {
    return chunk_start_;
  }
  const std::optional<std::vector<std::optional<std::string>>>& after() const { return after_; }

 private:
  std::string ChunkSql(const TableShape& table);
  Result<int64_t> PageCount(const TableShape& table);
  /// Keyless tables: the first heap page of the next chunk, and how many pages a chunk spans.
  int64_t FirstPage() const;
  int64_t PagesPerChunk() const;

  /// Rows per 8 kB heap page assumed when sizing page-range chunks of keyless tables.
  static constexpr int64_t kRowsPerPageGuess = 50;

  pg::Connection& conn_;
  const std::vector<TableShape>& tables_;
  int64_t chunk_rows_;
  size_t table_ = 0;
  std::optional<std::vector<std::optional<std::string>>> after_;
  std::optional<std::vector<std::optional<std::string>>> chunk_start_;
  bool table_done_ = false;
};

}  // namespace rivven::postgres
