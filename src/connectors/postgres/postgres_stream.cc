// The streaming half of PostgresSource: START_REPLICATION, pgoutput messages to change events,
// status updates, heartbeats, the slot's lag, and signals.
#include <algorithm>
#include <utility>

#include <rapidjson/document.h>

#include "base/log.h"
#include "connectors/postgres/postgres_catalog.h"
#include "connectors/postgres/postgres_source.h"

namespace rivven::postgres {
namespace {

constexpr char kComponent[] = "postgres-cdc";

int64_t NowPgMicros() { return UnixMsToPgTimestamp(NowMs()); }

}  // namespace

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
      return WalGoneError(config_, "no longer exists", position_.lsn);
    }
    if (state == "55000" || started.message().find("removed") != std::string::npos) {
      return WalGoneError(config_, "cannot stream from there", position_.lsn);
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
  // Waiting for the first record of a batch, any byte wakes us. Once the batch has records,
  // the socket wakes us only when kCollectingLowWater bytes are there (or at the linger
  // deadline, when whatever arrived is read anyway): the walsender flushes every message, and
  // waking for each would cost a poll, a recv and a context switch per few rows.
  constexpr int kCollectingLowWater = 64 * 1024;
  const auto set_low_water = [this](bool raised) -> Status {
    if (raised == low_water_raised_) return Status::Ok();
    low_water_raised_ = raised;
    return repl_->SetReceiveLowWater(raised ? kCollectingLowWater : 1);
  };
  RC_RETURN_IF_ERROR(set_low_water(false));
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
    RC_RETURN_IF_ERROR(set_low_water(!batch.records.empty()));
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


}  // namespace rivven::postgres
