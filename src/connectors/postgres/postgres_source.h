#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "clients/pg/pg_connection.h"
#include "connectors/connector.h"
#include "connectors/postgres/change_event.h"
#include "connectors/postgres/incremental_snapshot.h"
#include "connectors/postgres/pg_value.h"
#include "connectors/postgres/postgres_config.h"
#include "connectors/postgres/postgres_position.h"
#include "connectors/postgres/snapshot_prefetcher.h"
#include "connectors/postgres/snapshot_reader.h"
#include "connectors/registry.h"

namespace rivven::postgres {

/// The postgres-cdc source: an optional snapshot (chunked, resumable), then the changes of the
/// publication's tables from a pgoutput replication slot, as Debezium change events. The
/// slot's confirmed position advances only when Acknowledge reports a durable checkpoint.
class PostgresSource final : public Source {
 public:
  PostgresSource(PostgresSourceConfig config, ConnectorContext context);
  ~PostgresSource() override;

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Acknowledge(const std::string& position) override;
  Status Close() override;

 private:
  enum class Phase { kSnapshot, kStreaming, kFinished };

  Status LoadTypes();
  Status PrepareSnapshot(bool fresh, const std::string& exported_snapshot);
  Result<SourceBatch> PollSnapshot(size_t max_records);
  Status FinishSnapshot();
  Result<SourceBatch> PollStream(size_t max_records, std::chrono::milliseconds max_wait,
                                 std::stop_token stop);
  Status StartStreaming();
  /// Handles one pgoutput message; appends to `out`. Sets *commit when a transaction ended.
  Status HandleMessage(std::string_view payload, Lsn wal_start, std::vector<Record>* out);
  Status OnRelation(const RelationMessage& relation);
  /// An insert into the signal table: execute-snapshot starts an incremental snapshot.
  Status OnSignal(const TableShape& table, const RowText& row);
  Status SendStatus(bool reply_requested);
  Status MaybeHeartbeat();
  /// Every few seconds: the slot's lag (bytes of WAL it holds back) as a gauge on `batch`.
  Status MaybeReportLag(SourceBatch& batch);
  std::string PositionJson() const;
  std::string SnapshotPositionJson(size_t table, const std::optional<std::vector<std::optional<std::string>>>& after) const;
  Record SnapshotRecord(const SnapshotRow& row, debezium::Snapshot marker);

  const PostgresSourceConfig config_;
  const ConnectorContext context_;
  TypeCatalog catalog_;
  ChangeEventBuilder builder_;
  std::unique_ptr<pg::Connection> sql_;   ///< catalog queries, snapshot, heartbeats
  std::unique_ptr<pg::Connection> repl_;  ///< the walsender connection
  Phase phase_ = Phase::kStreaming;
  SourcePosition position_;  ///< as of the last record handed out

  // Snapshot state.
  /// Where a restart resumes once a row is delivered: its table and resume point.
  struct Resume {
    size_t table = 0;
    std::optional<std::vector<std::optional<std::string>>> after;
  };
  Resume ResumeOf(const SnapshotChunk& chunk, size_t row) const;
  std::vector<TableShape> snapshot_tables_;
  std::unique_ptr<SnapshotPrefetcher> prefetcher_;
  SnapshotChunk chunk_;
  bool have_chunk_ = false;
  size_t chunk_next_ = 0;
  /// The last row of the previous chunk, held until it is known whether it is the very last.
  SnapshotRow held_row_;
  bool has_held_ = false;
  Resume held_resume_;
  uint64_t snapshot_rows_ = 0, snapshot_estimate_ = 0;
  int64_t snapshot_read_ms_ = 0;  ///< source.ts_ms of the rows of the current batch

  std::unique_ptr<IncrementalSnapshot> incremental_;

  // Streaming state.
  bool streaming_ = false;
  std::unordered_map<uint32_t, TableShape> relations_;
  bool in_tx_ = false;
  uint32_t tx_xid_ = 0;
  Lsn tx_final_lsn_ = 0;
  int64_t tx_commit_ms_ = 0;
  uint64_t tx_changes_ = 0;  ///< changes of the open transaction seen so far
  uint64_t tx_skip_ = 0;     ///< of those, how many were delivered before a restart
  Lsn server_wal_end_ = 0;   ///< from the last keepalive
  Lsn acked_lsn_ = 0;        ///< durable in the checkpoint store
  Lsn reported_lsn_ = 0;     ///< last flush position sent to the server
  std::string last_position_json_;
  SteadyClock::time_point last_status_{}, last_heartbeat_{};
  bool heartbeat_pending_ = false;
  bool low_water_raised_ = false;  ///< the socket's receive low-water mark is kCollectingLowWater
  SteadyClock::time_point last_lag_report_{};
  RowText old_row_, new_row_;
};

/// The fatal error for a slot that is gone or has lost its WAL, naming the choices.
Status WalGoneError(const PostgresSourceConfig& config, const std::string& why, Lsn lsn);

/// Registers `postgres-cdc`.
void RegisterPostgresCdc(Registry& registry);

}  // namespace rivven::postgres
