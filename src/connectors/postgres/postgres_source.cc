#include "connectors/postgres/postgres_source.h"

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "connectors/postgres/postgres_catalog.h"

namespace rivven::postgres {
namespace {

constexpr char kComponent[] = "postgres-cdc";

}  // namespace

Status WalGoneError(const PostgresSourceConfig& config, const std::string& why, Lsn lsn) {
  return Status::FailedPrecondition(
      "replication slot '" + config.slot_name + "' " + why + ": the changes after " +
      FormatLsn(lsn) +
      " are no longer on the server. Choices: set snapshot.mode: when_needed to take a new "
      "snapshot and stream from there, or remove this source's checkpoint to start over");
}

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
      return WalGoneError(config_, wal_lost ? "has lost its WAL" : "no longer exists", position_.lsn);
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
  row.ToRowText(&new_row_);
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
  // "snapshot rows": the display says the snapshot is done, not the source (it streams on).
  batch.progress = SourceProgress{snapshot_rows_, std::max(snapshot_estimate_, snapshot_rows_),
                                  "snapshot rows"};
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
