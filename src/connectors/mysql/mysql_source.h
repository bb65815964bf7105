#pragma once

#include <chrono>
#include <deque>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "clients/mysql/mysql_connection.h"
#include "connectors/connector.h"
#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/binlog_pump.h"
#include "connectors/mysql/binlog_rows.h"
#include "connectors/mysql/mysql_catalog.h"
#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_position.h"
#include "connectors/mysql/mysql_text_value.h"
#include "connectors/registry.h"
#include "record/debezium.h"
#include "record/spare_values.h"

namespace rivven::mysql {

/// The mysql-cdc source: an optional consistent snapshot (chunked by primary key, resumable),
/// then every row change of the captured tables from the binlog, as Debezium change events
/// (source.connector "mysql" with file, pos, gtid, server_id and row). Nothing is acknowledged
/// to the server: the checkpoint (binlog file/pos and GTID state) is the whole position.
class MysqlSource final : public Source {
 public:
  MysqlSource(MysqlSourceConfig config, ConnectorContext context);
  ~MysqlSource() override;

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  void Recycle(std::vector<Record>& spent) override { spare_values_.Keep(spent); }
  Status Close() override;

 private:
  enum class Phase { kSnapshot, kStreaming, kFinished };

  // ---- snapshot (mysql_snapshot.cc)
  /// Takes a consistent snapshot: the binlog position it corresponds to becomes the streaming
  /// start, and the tables to read are listed in position_.snapshot.
  Status BeginSnapshot();
  Result<SourceBatch> PollSnapshot(size_t max_records);

  // ---- streaming (mysql_stream.cc)
  Status StartStreaming();
  Result<SourceBatch> PollStream(size_t max_records, std::chrono::milliseconds max_wait,
                                 std::stop_token stop);
  Status HandleEvent(std::string_view bytes, std::vector<Record>* out);
  Status HandleRows(const EventHeader& header, const RowsEvent& rows, std::vector<Record>* out);
  void BeginTransaction(const EventHeader& header, std::string_view gtid, bool standalone);
  /// Every change up to the event ending at `end` is delivered.
  void EndTransaction(uint64_t end);
  void OnQuery(const EventHeader& header, const QueryEvent& query);
  /// The schema the row decoder uses for `map`: the map's own when it names its columns
  /// (binlog_row_metadata=FULL), else information_schema's.
  Result<const TableSchema*> SchemaFor(const TableMap& map);
  std::string PositionJson();
  std::string GtidStateText() const;

  const MysqlSourceConfig config_;
  const ConnectorContext context_;
  const RowOptions row_options_;
  std::unique_ptr<Connection> sql_;  ///< catalog queries and the snapshot
  MysqlPosition position_;           ///< as of the last record handed out
  Phase phase_ = Phase::kStreaming;
  std::string last_position_json_;
  TimestampMs emit_ms_ = 0;
  debezium::SourceWriter source_writer_;
  debezium::SourceInfo row_source_;  ///< source of the last rows event, reused
  SpareValues spare_values_;         ///< buffers of delivered records, for new ones

  // Snapshot state.
  std::vector<CapturedTable> snapshot_tables_;
  /// The snapshot's own connection, inside its consistent-snapshot transaction, and the plans
  /// of the table being read.
  struct SnapshotCursor {
    std::unique_ptr<Connection> conn;
    size_t planned_table = SIZE_MAX;  ///< index in snapshot_tables_ the plans are for
    std::vector<TextColumnPlan> plans;
    std::vector<std::string> json_names;  ///< `"name":`
    std::string select;                   ///< SELECT cols FROM `db`.`t`
    std::string order;                    ///< ORDER BY the key
    TimestampMs read_ms = 0;              ///< source.ts_ms of snapshot rows
    uint64_t offset = 0;                  ///< keyless tables: rows of the table read so far
  };
  std::unique_ptr<SnapshotCursor> cursor_;
  uint64_t snapshot_estimate_ = 0;

  // Streaming state.
  /// The binlog: read here directly on a plain connection, through a pump's thread otherwise.
  std::unique_ptr<BinlogStream> direct_;
  std::unique_ptr<BinlogPump> pump_;
  PumpedEvents pending_;           ///< taken from the pump, not yet handled
  std::vector<EventSlab> handled_;  ///< handled; they go back to the pump
  BinlogDecoder decoder_;
  RowsReader rows_reader_;
  std::string file_;  ///< the binlog file the stream is in
  std::unordered_map<std::string, std::unique_ptr<TableSchema>> catalog_schemas_;  ///< by db.table
  std::unordered_map<uint64_t, std::pair<std::shared_ptr<const TableMap>, std::unique_ptr<TableSchema>>>
      map_schemas_;  ///< by table id, built from FULL table maps
  std::map<uint32_t, MariaGtid> gtid_state_;  ///< MariaDB: the last GTID of each domain
  bool gtids_changed_ = false;                ///< position_.gtids lags gtid_state_
  bool in_tx_ = false;
  bool tx_standalone_ = false;  ///< a GTID group with no COMMIT/XID (DDL)
  std::string tx_file_;
  uint64_t tx_pos_ = 0;
  std::string tx_gtid_;
  std::optional<MariaGtid> tx_maria_gtid_;
  uint64_t tx_rows_ = 0;  ///< changes of the open transaction handed out or skipped
  uint64_t tx_skip_ = 0;  ///< of those, how many a previous run delivered
  std::string image_, key_, tail_;
};

/// Registers `mysql-cdc`.
void RegisterMysqlCdc(Registry& registry);

}  // namespace rivven::mysql
