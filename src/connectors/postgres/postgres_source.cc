#include "connectors/postgres/postgres_source.h"

#include <algorithm>
#include <utility>

#include <rapidjson/document.h>

#include "base/log.h"
#include "connectors/postgres/postgres_catalog.h"

namespace rivven::postgres {
namespace {

constexpr char kComponent[] = "postgres-cdc";

int64_t NowPgMicros() { return UnixMsToPgTimestamp(NowMs()); }

Status WalGone(const PostgresSourceConfig& config, const std::string& why, Lsn lsn) {
  return Status::FailedPrecondition(
      "replication slot '" + config.slot_name + "' " + why + ": the changes after " +
      FormatLsn(lsn) +
      " are no longer on the server. Choices: set snapshot.mode: when_needed to take a new "
      "snapshot and stream from there, or remove this source's checkpoint to start over");
}

}  // namespace

PostgresSource::PostgresSource(PostgresSourceConfig config, ConnectorContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      builder_(catalog_, config_.values, config_.unavailable_value_placeholder) {}

PostgresSource::~PostgresSource() = default;

Status PostgresSource::LoadTypes() {
  RC_ASSIGN_OR_RETURN(pg::QueryResult types, sql_->Exec(TypeCatalog::kLoadQuery));
  for (int i = 0; i < types.rows(); ++i) {
    TypeInfo info;
    info.oid = static_cast<uint32_t>(std::stoul(std::string(types.get(i, 0))));
    info.name = std::string(types.get(i, 1));
    info.type_type = types.get(i, 2).empty() ? 'b' : types.get(i, 2)[0];
    info.category = types.get(i, 3).empty() ? 'U' : types.get(i, 3)[0];
    info.element_oid = static_cast<uint32_t>(std::stoul(std::string(types.get(i, 4))));
    info.base_oid = static_cast<uint32_t>(std::stoul(std::string(types.get(i, 5))));
    info.delimiter = types.get(i, 6).empty() ? ',' : types.get(i, 6)[0];
    catalog_.Add(std::move(info));
  }
  return Status::Ok();
}

Status PostgresSource::Open(const std::optional<std::string>& checkpoint) {
  RC_ASSIGN_OR_RETURN(sql_, pg::Connection::Open(SqlParams(config_)));
  RC_RETURN_IF_ERROR(LoadTypes());
  bool has_checkpoint = false;
  if (checkpoint) {
    RC_ASSIGN_OR_RETURN(position_, SourcePosition::FromJson(*checkpoint));
    if (position_.slot != config_.slot_name) {
      log::Warn(kComponent,
                "the checkpoint belongs to replication slot '{}', not '{}': starting as if new",
                position_.slot, config_.slot_name);
      position_ = SourcePosition{};
    } else {
      has_checkpoint = true;
    }
  }
  position_.slot = config_.slot_name;
  RC_RETURN_IF_ERROR(EnsurePublication(*sql_, config_));
  incremental_ = std::make_unique<IncrementalSnapshot>(*sql_, builder_, config_.slot_name,
                                                       config_.snapshot_chunk_rows);
  if (position_.incremental) RC_RETURN_IF_ERROR(incremental_->Restore(*position_.incremental));
  RC_ASSIGN_OR_RETURN(SlotState slot, LookupSlot(*sql_, config_.slot_name));
  if (slot.exists && slot.plugin != "pgoutput") {
    return Status::FailedPrecondition("replication slot '" + config_.slot_name + "' uses plugin '" +
                                      slot.plugin + "'; postgres-cdc needs pgoutput");
  }
  if (slot.exists && slot.database != config_.connection.database) {
    return Status::FailedPrecondition("replication slot '" + config_.slot_name +
                                      "' belongs to database '" + slot.database + "', not '" +
                                      config_.connection.database + "'");
  }

  const bool resume_snapshot = has_checkpoint && position_.snapshot.has_value();
  bool snapshot = false;
  switch (config_.snapshot_mode) {
    case SnapshotMode::kNever: snapshot = false; break;
    case SnapshotMode::kInitial:
    case SnapshotMode::kInitialOnly:
    case SnapshotMode::kWhenNeeded: snapshot = !has_checkpoint || resume_snapshot; break;
    case SnapshotMode::kAlways: snapshot = true; break;
  }
  if (config_.snapshot_mode == SnapshotMode::kInitialOnly && has_checkpoint &&
      position_.snapshot_done && !resume_snapshot) {
    phase_ = Phase::kFinished;
    return Status::Ok();
  }

  // A slot that is gone or has lost its WAL breaks the promise of the checkpoint.
  const bool wal_lost = slot.exists && slot.wal_status == "lost";
  if (has_checkpoint && (!slot.exists || wal_lost)) {
    if (config_.snapshot_mode != SnapshotMode::kWhenNeeded &&
        config_.snapshot_mode != SnapshotMode::kAlways) {
      return WalGone(config_, wal_lost ? "has lost its WAL" : "no longer exists", position_.lsn);
    }
    log::Warn(kComponent, "replication slot '{}' {}: taking a new snapshot (snapshot.mode {})",
              config_.slot_name, wal_lost ? "has lost its WAL" : "no longer exists",
              SnapshotModeName(config_.snapshot_mode));
    if (wal_lost) {
      auto dropped = sql_->ExecParams("SELECT pg_drop_replication_slot($1)", {config_.slot_name});
      if (!dropped.ok()) return dropped.status().WithContext("dropping the lost slot");
    }
    slot = SlotState{};
    position_ = SourcePosition{};
    position_.slot = config_.slot_name;
    has_checkpoint = false;
    snapshot = true;
  }

  std::string exported;
  const bool fresh_snapshot = snapshot && !(has_checkpoint && position_.snapshot.has_value());
  if (!slot.exists) {
    if (!config_.auto_create_slot) {
      return Status::FailedPrecondition("replication slot '" + config_.slot_name +
                                        "' does not exist and auto_create_slot is false: create "
                                        "it (SELECT pg_create_logical_replication_slot('" +
                                        config_.slot_name + "', 'pgoutput')) or set "
                                        "auto_create_slot: true");
    }
    RC_ASSIGN_OR_RETURN(repl_, pg::Connection::Open(ReplicationParams(config_)));
    RC_ASSIGN_OR_RETURN(CreatedSlot created, CreateSlot(*repl_, config_.slot_name, fresh_snapshot));
    position_.lsn = created.consistent_point;
    exported = created.snapshot_name;
  } else if (!has_checkpoint) {
    position_.lsn = slot.confirmed_flush.value_or(0);
  } else if (slot.confirmed_flush && *slot.confirmed_flush > position_.lsn) {
    log::Warn(kComponent,
              "replication slot '{}' is confirmed up to {}, past this source's checkpoint {}: "
              "changes in between were acknowledged elsewhere and are not re-read",
              config_.slot_name, FormatLsn(*slot.confirmed_flush), FormatLsn(position_.lsn));
  }
  acked_lsn_ = reported_lsn_ = position_.lsn;

  if (snapshot) {
    RC_RETURN_IF_ERROR(PrepareSnapshot(fresh_snapshot, exported));
    phase_ = Phase::kSnapshot;
  } else {
    phase_ = Phase::kStreaming;
  }
  last_position_json_ = has_checkpoint ? *checkpoint : std::string();
  log::Info(kComponent, "source '{}' opened at {} ({})", context_.name, FormatLsn(position_.lsn),
            phase_ == Phase::kSnapshot ? "snapshot first" : "streaming");
  return Status::Ok();
}

Status PostgresSource::PrepareSnapshot(bool fresh, const std::string& exported_snapshot) {
  if (fresh) {
    RC_ASSIGN_OR_RETURN(snapshot_tables_, LoadCapturedTables(*sql_, config_));
    SourcePosition::Snapshot state;
    for (const TableShape& t : snapshot_tables_) state.tables.push_back(t.schema + "." + t.table);
    position_.snapshot = std::move(state);
    position_.snapshot_done = false;
  } else {
    snapshot_tables_.clear();
    for (const std::string& name : position_.snapshot->tables) {
      auto oid = sql_->ExecParams("SELECT to_regclass($1)::oid::int8", {name});
      if (!oid.ok()) return oid.status();
      if (oid->is_null(0, 0)) {
        return Status::FailedPrecondition("table " + name +
                                          " of the interrupted snapshot no longer exists");
      }
      RC_ASSIGN_OR_RETURN(TableShape shape,
                          LoadTableShape(*sql_, static_cast<uint32_t>(std::stoul(std::string(oid->get(0, 0))))));
      snapshot_tables_.push_back(std::move(shape));
    }
  }
  snapshot_rows_ = position_.snapshot->rows;
  snapshot_estimate_ = 0;
  for (const TableShape& t : snapshot_tables_) {
    RC_ASSIGN_OR_RETURN(uint64_t n, EstimateRows(*sql_, t));
    snapshot_estimate_ += n;
  }
  // The snapshot reads on a connection of its own, a few chunks ahead (SnapshotPrefetcher).
  RC_ASSIGN_OR_RETURN(auto snapshot_conn, pg::Connection::Open(SqlParams(config_)));
  prefetcher_ = std::make_unique<SnapshotPrefetcher>(std::move(snapshot_conn), snapshot_tables_,
                                                     config_.snapshot_chunk_rows);
  RC_RETURN_IF_ERROR(prefetcher_->Start(exported_snapshot, position_.snapshot->table,
                                        position_.snapshot->after));
  have_chunk_ = false;
  chunk_next_ = 0;
  has_held_ = false;
  log::Info(kComponent, "snapshot of {} table(s), about {} rows, from table {}",
            snapshot_tables_.size(), snapshot_estimate_, position_.snapshot->table);
  return Status::Ok();
}

Record PostgresSource::SnapshotRecord(const SnapshotRow& row, debezium::Snapshot marker) {
  const TableShape& table = snapshot_tables_[row.table];
  new_row_.values.resize(row.size());
  new_row_.unchanged.assign(row.size(), false);
  for (size_t i = 0; i < row.size(); ++i) new_row_.values[i] = row.value(i);
  EventContext context;
  context.server_name = config_.server_name;
  context.database = config_.connection.database;
  context.ts_ms = snapshot_read_ms_;
  context.snapshot = marker;
  context.lsn = position_.lsn;
  return builder_.Build(table, debezium::Op::kRead, nullptr, &new_row_, context);
}

PostgresSource::Resume PostgresSource::ResumeOf(const SnapshotChunk& chunk, size_t index) const {
  const SnapshotRow& row = chunk.rows[index];
  Resume resume;
  resume.table = row.table;
  const TableShape& table = snapshot_tables_[row.table];
  if (table.key_columns.empty()) {
    // Keyless chunks are page ranges: only the chunk's last row completes it.
    resume.after = index + 1 == chunk.count ? chunk.end : chunk.start;
  } else {
    std::vector<std::optional<std::string>> key;
    for (size_t column : table.key_columns) {
      const auto v = row.value(column);
      key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
    resume.after = std::move(key);
  }
  return resume;
}

std::string PostgresSource::SnapshotPositionJson(
    size_t table, const std::optional<std::vector<std::optional<std::string>>>& after) const {
  SourcePosition p;
  p.slot = position_.slot;
  p.lsn = position_.lsn;
  SourcePosition::Snapshot state;
  state.tables = position_.snapshot->tables;
  state.table = table;
  state.after = after;
  state.rows = snapshot_rows_;
  p.snapshot.emplace(std::move(state));
  return p.ToJson();
}

Result<SourceBatch> PostgresSource::PollSnapshot(size_t max_records) {
  SourceBatch batch;
  batch.records.reserve(max_records + 1);
  snapshot_read_ms_ = NowMs();
  builder_.SetEmitTime(snapshot_read_ms_);
  std::optional<Resume> delivered;
  // The newest row emitted from the current chunk (its resume point is taken only when needed).
  std::optional<size_t> emitted_in_chunk;
  bool done = false;
  while (batch.records.size() < max_records) {
    if (have_chunk_ && chunk_next_ + 1 < chunk_.count) {  // a row with another after it
      batch.records.push_back(SnapshotRecord(chunk_.rows[chunk_next_], debezium::Snapshot::kTrue));
      ++snapshot_rows_;
      emitted_in_chunk = chunk_next_++;
      continue;
    }
    if (have_chunk_) {
      if (emitted_in_chunk) delivered = ResumeOf(chunk_, *emitted_in_chunk);
      emitted_in_chunk.reset();
      if (chunk_next_ < chunk_.count) {  // the chunk's last row: hold it
        held_resume_ = ResumeOf(chunk_, chunk_next_);
        std::swap(held_row_, chunk_.rows[chunk_next_]);
        has_held_ = true;
      }
      prefetcher_->Recycle(std::move(chunk_));
      chunk_ = SnapshotChunk{};
      have_chunk_ = false;
    }
    RC_ASSIGN_OR_RETURN(std::optional<SnapshotChunk> next, prefetcher_->Next());
    if (!next) {
      done = true;
      break;
    }
    chunk_ = std::move(*next);
    chunk_next_ = 0;
    have_chunk_ = true;
    if (has_held_) {
      batch.records.push_back(SnapshotRecord(held_row_, debezium::Snapshot::kTrue));
      ++snapshot_rows_;
      delivered = held_resume_;
      has_held_ = false;
    }
  }
  if (emitted_in_chunk) delivered = ResumeOf(chunk_, *emitted_in_chunk);
  if (done) {
    if (has_held_) {
      batch.records.push_back(SnapshotRecord(held_row_, debezium::Snapshot::kLast));
      ++snapshot_rows_;
      has_held_ = false;
    }
    RC_RETURN_IF_ERROR(FinishSnapshot());
    batch.position = PositionJson();
    last_position_json_ = batch.position;
    if (phase_ == Phase::kFinished) batch.finished = true;
  } else if (delivered) {
    batch.position = SnapshotPositionJson(delivered->table, delivered->after);
    last_position_json_ = batch.position;
  }
  batch.progress = SourceProgress{snapshot_rows_, std::max(snapshot_estimate_, snapshot_rows_), "rows"};
  return batch;
}

Status PostgresSource::FinishSnapshot() {
  RC_RETURN_IF_ERROR(prefetcher_->Finish());
  prefetcher_.reset();
  chunk_ = SnapshotChunk{};
  have_chunk_ = false;
  position_.snapshot.reset();
  position_.snapshot_done = true;
  log::Info(kComponent, "snapshot done: {} rows", snapshot_rows_);
  phase_ = config_.snapshot_mode == SnapshotMode::kInitialOnly ? Phase::kFinished : Phase::kStreaming;
  return Status::Ok();
}

std::string PostgresSource::PositionJson() const {
  SourcePosition p = position_;
  if (in_tx_ && tx_changes_ > 0) p.tx = SourcePosition::Transaction{tx_final_lsn_, tx_changes_};
  if (incremental_) p.incremental = incremental_->State();
  return p.ToJson();
}

Result<SourceBatch> PostgresSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                         std::stop_token stop) {
  Result<SourceBatch> batch = Status::Error(StatusCode::kInternal, "unknown phase");
  switch (phase_) {
    case Phase::kFinished: {
      SourceBatch finished;
      finished.finished = true;
      return finished;
    }
    case Phase::kSnapshot:
      batch = PollSnapshot(max_records);
      break;
    case Phase::kStreaming:
      batch = PollStream(max_records, max_wait, stop);
      break;
  }
  if (batch.ok()) RC_RETURN_IF_ERROR(MaybeReportLag(*batch));
  return batch;
}

Status PostgresSource::MaybeReportLag(SourceBatch& batch) {
  constexpr auto kEvery = std::chrono::seconds(5);
  const auto now = SteadyClock::now();
  if (last_lag_report_ != SteadyClock::time_point{} && now - last_lag_report_ < kEvery) {
    return Status::Ok();
  }
  last_lag_report_ = now;
  auto lag = sql_->ExecParams(
      "SELECT GREATEST(pg_current_wal_lsn() - confirmed_flush_lsn, 0)::int8 FROM "
      "pg_replication_slots WHERE slot_name = $1",
      {config_.slot_name});
  if (!lag.ok()) {
    if (lag.status().disposition() == Disposition::kRetriable) return lag.status();
    log::Warn(kComponent, "reading the slot's lag failed: {}", lag.status().ToString());
    return Status::Ok();
  }
  if (lag->rows() == 0 || lag->is_null(0, 0)) return Status::Ok();
  batch.gauges.push_back(SourceGauge{
      "postgres_slot_lag_bytes",
      "Bytes of WAL the replication slot holds on the server: from its confirmed flush position "
      "to the server's current WAL position.",
      std::stod(std::string(lag->get(0, 0)))});
  return Status::Ok();
}

Status PostgresSource::StartStreaming() {
  if (!repl_) {
    RC_ASSIGN_OR_RETURN(repl_, pg::Connection::Open(ReplicationParams(config_)));
  }
  std::string options = "proto_version '1', publication_names " +
                        repl_->QuoteLiteral(repl_->QuoteIdentifier(config_.publication_name));
  // Logical messages carry the incremental snapshot's watermarks too.
  if (config_.include_logical_messages || config_.signal_table) options += ", messages 'true'";
  const std::string command = "START_REPLICATION SLOT " + repl_->QuoteIdentifier(config_.slot_name) +
                              " LOGICAL " + FormatLsn(position_.lsn) + " (" + options + ")";
  Status started = repl_->StartCopyBoth(command);
  if (!started.ok()) {
    const std::string state = pg::SqlState(started);
    if (state == "42704") {  // undefined_object: the slot was dropped under us
      return WalGone(config_, "no longer exists", position_.lsn);
    }
    if (state == "55000" || started.message().find("removed") != std::string::npos) {
      return WalGone(config_, "cannot stream from there", position_.lsn);
    }
    return started.WithContext("starting replication from slot '" + config_.slot_name + "'");
  }
  streaming_ = true;
  last_status_ = last_heartbeat_ = SteadyClock::now();
  log::Info(kComponent, "streaming from slot '{}' at {}", config_.slot_name, FormatLsn(position_.lsn));
  return Status::Ok();
}

Status PostgresSource::SendStatus(bool reply_requested) {
  if (!streaming_) return Status::Ok();
  RC_RETURN_IF_ERROR(repl_->WriteCopyData(
      EncodeStandbyStatusUpdate(acked_lsn_, acked_lsn_, acked_lsn_, NowPgMicros(), reply_requested)));
  reported_lsn_ = acked_lsn_;
  last_status_ = SteadyClock::now();
  return Status::Ok();
}

Status PostgresSource::MaybeHeartbeat() {
  const auto now = SteadyClock::now();
  if (config_.heartbeat_interval.count() > 0 && now - last_heartbeat_ >= config_.heartbeat_interval) {
    last_heartbeat_ = now;
    if (!config_.heartbeat_action_query.empty()) {
      auto ran = sql_->Exec(config_.heartbeat_action_query);
      if (!ran.ok()) {
        log::Warn(kComponent, "heartbeat_action_query failed: {}", ran.status().ToString());
        if (ran.status().disposition() == Disposition::kRetriable) return ran.status();
      }
    }
    // The server answers with a keepalive carrying its WAL position (see PollStream).
    heartbeat_pending_ = true;
    return SendStatus(/*reply_requested=*/true);
  }
  if (now - last_status_ >= config_.status_interval || acked_lsn_ > reported_lsn_) {
    return SendStatus(false);
  }
  return Status::Ok();
}

Result<SourceBatch> PostgresSource::PollStream(size_t max_records, std::chrono::milliseconds max_wait,
                                               std::stop_token stop) {
  if (!streaming_) RC_RETURN_IF_ERROR(StartStreaming());
  SourceBatch batch;
  const auto deadline = SteadyClock::now() + max_wait;
  builder_.SetEmitTime(NowMs());
  size_t since_housekeeping = 0;
  constexpr auto kLinger = std::chrono::milliseconds(5);
  // Under a steady stream (the last poll filled its batch), the socket wakes us only for 64 kB
  // at a time (or after kBusyWait): fewer wakeups and context switches per row.
  constexpr int kBusyLowWater = 64 * 1024;
  constexpr auto kBusyWait = std::chrono::milliseconds(2);
  if (busy_ != low_water_set_) {
    RC_RETURN_IF_ERROR(repl_->SetReceiveLowWater(busy_ ? kBusyLowWater : 1));
    low_water_set_ = busy_;
  }
  bool lingering = false;
  SteadyClock::time_point linger_until;
  while (batch.records.size() < max_records && !stop.stop_requested()) {
    // Heartbeats, status updates and snapshot windows: at the start of a poll and every few
    // hundred messages (not for each one: reading the clock is not free at 300,000 rows/s).
    if (batch.records.empty() || ++since_housekeeping >= 256) {
      since_housekeeping = 0;
      RC_RETURN_IF_ERROR(MaybeHeartbeat());
      if (incremental_) RC_RETURN_IF_ERROR(incremental_->MaybeOpenWindow());
    }
    // Without records, wait for data; with some, take what is already there, and linger a
    // few milliseconds for more while the batch is small (fewer, larger durable writes under
    // load, at a latency cost of at most kLinger).
    std::chrono::milliseconds wait(0);
    if (batch.records.empty() || lingering) {
      const auto now = SteadyClock::now();
      const auto until = lingering ? std::min(deadline, linger_until) : deadline;
      if (now < until) {
        wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(until - now),
                        std::chrono::milliseconds(1000));
      }
    }
    if (busy_) wait = std::min(wait, kBusyWait);
    RC_ASSIGN_OR_RETURN(pg::CopyData data, repl_->ReadCopyData(wait, stop));
    if (!data) {
      if (batch.records.empty()) {
        if (SteadyClock::now() >= deadline) break;
        continue;
      }
      if (!lingering && batch.records.size() < max_records / 2) {
        lingering = true;
        linger_until = SteadyClock::now() + kLinger;
        continue;
      }
      break;
    }
    RC_ASSIGN_OR_RETURN(ReplicationMessage message, DecodeReplicationMessage(data.view()));
    if (auto* keepalive = std::get_if<PrimaryKeepalive>(&message)) {
      server_wal_end_ = std::max(server_wal_end_, keepalive->wal_end);
      if (keepalive->reply_requested) RC_RETURN_IF_ERROR(SendStatus(false));
      // Idle: every transaction that committed before the server's position was sent, so the
      // position can move there (and the slot with it, once it is checkpointed).
      if (heartbeat_pending_ && !in_tx_ && batch.records.empty() && server_wal_end_ > position_.lsn) {
        heartbeat_pending_ = false;
        position_.lsn = server_wal_end_;
        break;
      }
      continue;
    }
    const XLogData& xlog = std::get<XLogData>(message);
    RC_RETURN_IF_ERROR(HandleMessage(xlog.payload, xlog.wal_start, &batch.records));
  }
  busy_ = batch.records.size() >= max_records;
  std::string position = PositionJson();
  if (position != last_position_json_) {
    batch.position = position;
    last_position_json_ = std::move(position);
  }
  return batch;
}

Status PostgresSource::OnRelation(const RelationMessage& relation) {
  TableShape shape;
  shape.relation_id = relation.relation_id;
  shape.schema = relation.schema;
  shape.table = relation.table;
  shape.replica_identity = relation.replica_identity;
  bool unknown_type = false;
  for (const RelationColumn& c : relation.columns) {
    shape.columns.push_back(TableShape::Column{c.name, c.type_oid});
    unknown_type |= catalog_.Find(c.type_oid) == nullptr;
  }
  if (unknown_type) RC_RETURN_IF_ERROR(LoadTypes());  // a type created after we started
  // The record key is the primary key; pgoutput flags the replica identity instead (every
  // column under REPLICA IDENTITY FULL), so ask the catalog.
  auto catalog_shape = LoadTableShape(*sql_, relation.relation_id);
  if (catalog_shape.ok()) {
    for (size_t index : catalog_shape->key_columns) {
      const std::string& name = catalog_shape->columns[index].name;
      for (size_t i = 0; i < shape.columns.size(); ++i) {
        if (shape.columns[i].name == name) shape.key_columns.push_back(i);
      }
    }
  } else if (catalog_shape.status().disposition() == Disposition::kRetriable) {
    return catalog_shape.status();
  } else if (relation.replica_identity != 'f') {
    // The table is gone already (dropped later in the WAL): fall back to the flagged columns.
    for (size_t i = 0; i < relation.columns.size(); ++i) {
      if (relation.columns[i].key) shape.key_columns.push_back(i);
    }
  }
  relations_[relation.relation_id] = std::move(shape);
  return Status::Ok();
}

namespace {

void FillRow(const TupleData& tuple, RowText* row) {
  row->values.assign(tuple.size(), std::nullopt);
  row->unchanged.assign(tuple.size(), false);
  for (size_t i = 0; i < tuple.size(); ++i) {
    switch (tuple[i].kind) {
      case TupleValue::Kind::kNull: break;
      case TupleValue::Kind::kUnchangedToast: row->unchanged[i] = true; break;
      case TupleValue::Kind::kText:
      case TupleValue::Kind::kBinary: row->values[i] = tuple[i].data; break;
    }
  }
}

}  // namespace

Status PostgresSource::HandleMessage(std::string_view payload, Lsn wal_start,
                                     std::vector<Record>* out) {
  RC_ASSIGN_OR_RETURN(PgOutputMessage message, DecodePgOutput(payload));
  EventContext context;
  context.server_name = config_.server_name;
  context.database = config_.connection.database;
  context.ts_ms = tx_commit_ms_;
  context.tx_id = tx_xid_;
  context.lsn = wal_start;

  // A change of the open transaction: skipped when a restart already delivered it.
  auto deliver = [&]() {
    ++tx_changes_;
    return tx_changes_ > tx_skip_;
  };
  auto relation_of = [&](uint32_t id) -> Result<const TableShape*> {
    auto it = relations_.find(id);
    if (it == relations_.end()) {
      return Status::Corruption("pgoutput sent a change of relation " + std::to_string(id) +
                                " before describing it");
    }
    return &it->second;
  };

  if (auto* begin = std::get_if<BeginMessage>(&message)) {
    in_tx_ = true;
    tx_xid_ = begin->xid;
    tx_final_lsn_ = begin->final_lsn;
    tx_commit_ms_ = PgTimestampToUnixMs(begin->commit_time);
    tx_changes_ = 0;
    tx_skip_ = position_.tx && position_.tx->final_lsn == begin->final_lsn ? position_.tx->skip : 0;
  } else if (auto* commit = std::get_if<CommitMessage>(&message)) {
    in_tx_ = false;
    position_.lsn = std::max(position_.lsn, commit->end_lsn);
    position_.tx.reset();
    tx_changes_ = tx_skip_ = 0;
  } else if (auto* relation = std::get_if<RelationMessage>(&message)) {
    RC_RETURN_IF_ERROR(OnRelation(*relation));
  } else if (auto* insert = std::get_if<InsertMessage>(&message)) {
    RC_ASSIGN_OR_RETURN(const TableShape* table, relation_of(insert->relation_id));
    if (deliver()) {
      FillRow(insert->new_tuple, &new_row_);
      if (config_.signal_table && table->schema == config_.signal_table->schema &&
          table->table == config_.signal_table->table) {
        return OnSignal(*table, new_row_);  // a control row, not data
      }
      out->push_back(builder_.Build(*table, debezium::Op::kCreate, nullptr, &new_row_, context));
      incremental_->OnStreamedChange(*table, out->back().key, tx_xid_);
    }
  } else if (auto* update = std::get_if<UpdateMessage>(&message)) {
    RC_ASSIGN_OR_RETURN(const TableShape* table, relation_of(update->relation_id));
    if (deliver()) {
      FillRow(update->new_tuple, &new_row_);
      const RowText* before = nullptr;
      if (update->old_kind != 0) {
        FillRow(update->old_tuple, &old_row_);
        before = &old_row_;
      }
      out->push_back(builder_.Build(*table, debezium::Op::kUpdate, before, &new_row_, context));
      incremental_->OnStreamedChange(*table, out->back().key, tx_xid_);
      // A key change: the old key's row is gone too.
      if (before != nullptr) {
        incremental_->OnStreamedChange(*table, builder_.KeyJson(*table, *before), tx_xid_);
      }
    }
  } else if (auto* del = std::get_if<DeleteMessage>(&message)) {
    RC_ASSIGN_OR_RETURN(const TableShape* table, relation_of(del->relation_id));
    if (deliver()) {
      FillRow(del->old_tuple, &old_row_);
      out->push_back(builder_.Build(*table, debezium::Op::kDelete, &old_row_, nullptr, context));
      incremental_->OnStreamedChange(*table, out->back().key, tx_xid_);
    }
  } else if (auto* truncate = std::get_if<TruncateMessage>(&message)) {
    if (deliver()) {
      for (uint32_t id : truncate->relation_ids) {
        RC_ASSIGN_OR_RETURN(const TableShape* table, relation_of(id));
        out->push_back(builder_.BuildTruncate(*table, context));
      }
    }
  } else if (auto* logical = std::get_if<LogicalMessage>(&message)) {
    if (logical->prefix == IncrementalSnapshot::kWatermarkPrefix) {
      incremental_->OnWatermark(logical->content, context, out);
    } else if (config_.include_logical_messages) {
      if (!logical->transactional) {
        context.tx_id.reset();
        context.ts_ms = NowMs();
        out->push_back(builder_.BuildMessage(logical->prefix, logical->content, context));
      } else if (deliver()) {
        out->push_back(builder_.BuildMessage(logical->prefix, logical->content, context));
      }
    }
  }
  // Origin and Type messages need nothing: types are looked up in the catalog.
  return Status::Ok();
}

Status PostgresSource::OnSignal(const TableShape& table, const RowText& row) {
  std::optional<std::string_view> type, data;
  for (size_t i = 0; i < table.columns.size() && i < row.values.size(); ++i) {
    if (table.columns[i].name == "type") type = row.values[i];
    if (table.columns[i].name == "data") data = row.values[i];
  }
  if (!type || *type != "execute-snapshot") {
    log::Warn(kComponent, "signal '{}' ignored: only execute-snapshot is supported",
              type ? std::string(*type) : std::string("(no type)"));
    return Status::Ok();
  }
  rapidjson::Document d;
  const std::string text = data ? std::string(*data) : std::string();
  d.Parse(text.c_str(), text.size());
  std::vector<std::string> tables;
  if (!d.HasParseError() && d.IsObject() && d.HasMember("data-collections") &&
      d["data-collections"].IsArray()) {
    for (const auto& t : d["data-collections"].GetArray()) {
      if (t.IsString()) tables.emplace_back(t.GetString(), t.GetStringLength());
    }
  }
  if (!d.HasParseError() && d.IsObject() && d.HasMember("type") && d["type"].IsString() &&
      std::string_view(d["type"].GetString()) != "incremental") {
    log::Warn(kComponent, "execute-snapshot of type '{}' ignored: only incremental is supported",
              d["type"].GetString());
    return Status::Ok();
  }
  if (tables.empty()) {
    log::Warn(kComponent, "execute-snapshot signal without data-collections ignored: {}", text);
    return Status::Ok();
  }
  return incremental_->AddTables(tables);
}

Status PostgresSource::Acknowledge(const std::string& position) {
  RC_ASSIGN_OR_RETURN(SourcePosition p, SourcePosition::FromJson(position));
  acked_lsn_ = std::max(acked_lsn_, p.lsn);
  if (streaming_ && acked_lsn_ > reported_lsn_) return SendStatus(false);
  return Status::Ok();
}

Status PostgresSource::Close() {
  if (streaming_ && repl_) (void)SendStatus(false);
  streaming_ = false;
  prefetcher_.reset();
  incremental_.reset();
  repl_.reset();
  sql_.reset();
  return Status::Ok();
}

void RegisterPostgresCdc(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "postgres-cdc";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Captures changes from PostgreSQL through logical replication (pgoutput): an optional "
      "consistent snapshot, then every insert, update, delete and truncate of the "
      "publication's tables as Debezium change events; resumes exactly where its checkpoint "
      "says, and lets the server free WAL only once changes are stored";
  d.schema = PostgresSourceSchema();
  d.bounded_when_configured = true;  // snapshot.mode: initial_only
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(PostgresSourceConfig config, PostgresSourceConfigFromBound(bound, context.name));
    return std::unique_ptr<Source>(std::make_unique<PostgresSource>(std::move(config), context));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(PostgresSourceConfig config, PostgresSourceConfigFromBound(bound, "check"));
    return CheckPostgresSource(config);
  };
  d.discover = [](const config::BoundConfig& bound) -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(PostgresSourceConfig config, PostgresSourceConfigFromBound(bound, "discover"));
    return DiscoverPostgresStreams(config);
  };
  d.validate = ValidatePostgresSourceConfig;
  registry.Add(std::move(d));
}

}  // namespace rivven::postgres
