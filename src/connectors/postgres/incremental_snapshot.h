#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "clients/pg/pg_connection.h"
#include "connectors/postgres/change_event.h"
#include "connectors/postgres/postgres_position.h"
#include "connectors/postgres/snapshot_reader.h"

namespace rivven::postgres {

/// An incremental (ad-hoc) snapshot of chosen tables while streaming goes on, with the
/// watermark algorithm of DBLog that Debezium uses: each chunk is read between two watermarks
/// written into the WAL (non-transactional logical messages, prefix kWatermarkPrefix). When the
/// stream brings the opening watermark, changes streamed until the closing one remove their
/// keys from the chunk (the streamed event is newer); at the closing watermark the rest of the
/// chunk is emitted as op "r" events with source.snapshot "incremental". Every row therefore
/// ends in its latest state, and no streamed change is ever overtaken by an older read.
/// Tables need a primary key.
///
/// One subtlety of PostgreSQL: a transaction's commit record can precede the opening watermark
/// in the WAL while the transaction is not yet visible to the chunk's read (visibility follows
/// the commit record by a moment). The chunk is therefore read in a REPEATABLE READ transaction
/// and its snapshot noted: changes of the transactions it cannot see (in progress, or at or
/// above its xmax), whether the stream brought them already (a short memory of recent changes
/// is kept) or brings them before the closing watermark, also drop their keys from the chunk.
class IncrementalSnapshot {
 public:
  static constexpr std::string_view kWatermarkPrefix = "rivven.watermark";

  IncrementalSnapshot(pg::Connection& sql, ChangeEventBuilder& builder, std::string slot_name,
                      int64_t chunk_rows);

  /// Adds tables (schema.table) to read; tables without a primary key or unknown are reported
  /// and left out. Starts the snapshot when none is running.
  Status AddTables(const std::vector<std::string>& names);
  /// Goes on from a checkpoint's state.
  Status Restore(const SourcePosition::Snapshot& state);

  bool active() const { return !tables_.empty(); }
  /// Unless a window is open already: writes the opening watermark, reads the next chunk,
  /// writes the closing watermark. Finishes the snapshot when every table is read.
  Status MaybeOpenWindow();
  /// A logical message with kWatermarkPrefix from the stream; at the closing watermark of the
  /// current window, appends the chunk's remaining rows to `out`.
  void OnWatermark(std::string_view content, const EventContext& context, std::vector<Record>* out);
  /// A change streamed for `table` with record key `key`, by transaction `xid`.
  void OnStreamedChange(const TableShape& table, const std::optional<std::string>& key,
                        uint32_t xid);
  /// The state for the checkpoint: the end of the last chunk emitted.
  std::optional<SourcePosition::Snapshot> State() const;

 private:
  Status ResolveTables(const std::vector<std::string>& names, size_t first_new);
  Status EmitWatermark(const char* kind);
  std::string WatermarkId(const char* kind) const;

  pg::Connection& sql_;
  ChangeEventBuilder& builder_;
  const std::string slot_name_;
  const int64_t chunk_rows_;
  const std::string nonce_;  ///< tells this process's watermarks from earlier ones in the WAL
  std::vector<std::string> names_;
  std::vector<TableShape> tables_;
  std::unique_ptr<SnapshotReader> reader_;
  size_t table_ = 0;  ///< of the last emitted chunk's end
  std::optional<std::vector<std::optional<std::string>>> after_;
  uint64_t rows_ = 0;
  uint64_t window_ = 0;  ///< sequence number of the current window
  bool window_pending_ = false, window_open_ = false;
  // The chunk of the current window, with the record key of each row (null once a streamed
  // change replaced it).
  std::vector<SnapshotRow> chunk_;
  std::vector<std::optional<std::string>> chunk_keys_;
  std::unordered_map<std::string, size_t> chunk_index_;
  size_t chunk_table_ = 0;
  size_t next_table_ = 0;  ///< where the reader is after the chunk
  std::optional<std::vector<std::optional<std::string>>> next_after_;
  RowText row_;
  /// Transactions in progress for the chunk's read: their changes are newer than the chunk.
  std::unordered_set<uint32_t> unseen_xids_;
  uint32_t snapshot_xmax_ = 0;
  bool Unseen(uint32_t xid) const;
  /// Recent streamed changes (while a snapshot is active), for the transactions the read
  /// could not see yet although the stream had brought them.
  struct RecentChange {
    uint32_t xid;
    std::string table;  ///< schema.table
    std::string key;
  };
  std::deque<RecentChange> recent_;
  static constexpr size_t kRecentChanges = 4096;
  void DropFromChunk(const std::string& key);
};

}  // namespace rivven::postgres
