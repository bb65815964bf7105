// The streaming half of the mysql-cdc source: binlog events → Debezium change events.
#include <algorithm>
#include <functional>
#include <optional>
#include <stop_token>

#include "base/append_in_place.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/version.h"
#include "record/json.h"
#include "connectors/mysql/mysql_source.h"

namespace rivven::mysql {
namespace {

constexpr char kComponent[] = "mysql-cdc";
/// Events received but not yet decoded: enough to keep the network busy while a batch is
/// decoded, small next to the runner's queues.
constexpr size_t kPumpBytes = 512u << 10;

Status BinlogGoneError(const std::string& where, const MysqlPosition& p, const Status& cause) {
  return Status::FailedPrecondition(
      "the binlog the checkpoint needs (" + p.file + " at " + std::to_string(p.pos) +
      (p.gtids.empty() ? "" : ", GTIDs " + p.gtids) + ") is no longer on " + where + ": " +
      cause.message() +
      ". Choices: set snapshot.mode: when_needed to take a new snapshot and stream from there, "
      "or remove this source's checkpoint to start over; keep binlogs longer "
      "(binlog_expire_logs_seconds) so a stopped source can catch up");
}

}  // namespace

Status MysqlSource::StartStreaming() {
  if (position_.file.empty()) {
    // Nothing to resume from: start at the server's current end.
    RC_ASSIGN_OR_RETURN(QueryResult status, sql_->Query("SHOW MASTER STATUS"));
    if (status.rows() == 0) {
      return Status::FailedPrecondition("the binary log is off on " + sql_->where() +
                                        ": start the server with log_bin");
    }
    position_.file = std::string(status.Value(0, "File").value_or(""));
    position_.pos = std::stoull(std::string(status.Value(0, "Position").value_or("4")));
    if (sql_->is_mariadb()) {
      RC_ASSIGN_OR_RETURN(QueryResult gtid, sql_->Query("SELECT @@GLOBAL.gtid_binlog_pos"));
      position_.gtids = std::string(gtid.Value(0, 0).value_or(""));
    }
  }
  gtid_state_.clear();
  for (size_t start = 0; start < position_.gtids.size();) {
    size_t end = position_.gtids.find(',', start);
    if (end == std::string::npos) end = position_.gtids.size();
    const std::string one = position_.gtids.substr(start, end - start);
    MariaGtid g;
    if (std::sscanf(one.c_str(), "%u-%u-%lu", &g.domain_id, &g.server_id, &g.sequence) == 3) {
      gtid_state_[g.domain_id] = g;
    }
    start = end + 1;
  }
  BinlogStream::Options options;
  options.server_id = config_.server_id;
  options.heartbeat_period = config_.heartbeat_interval;
  // A partly delivered transaction is read again from its start; its delivered changes are
  // skipped by count.
  options.file = position_.tx ? position_.tx->file : position_.file;
  options.position = position_.tx ? position_.tx->pos : position_.pos;
  file_ = options.file;
  decoder_.Reset();
  in_tx_ = false;
  pending_ = PumpedEvents();
  handled_.clear();
  auto stream = BinlogStream::Open(config_.connection, options);
  if (!stream.ok()) {
    if (stream.status().code() == StatusCode::kNotFound) {
      return BinlogGoneError(config_.connection.Where(), position_, stream.status());
    }
    return stream.status();
  }
  // A plain connection is read right here, between events: no thread hand-over, and each event
  // is decoded while its bytes are still in this core's cache. Over TLS libmariadb reads, and
  // its read cannot wait with a deadline, so a pump's thread does.
  if ((*stream)->direct()) {
    direct_ = std::move(stream).value();
  } else {
    pump_ = BinlogPump::Start(std::move(stream).value(), kPumpBytes);
  }
  log::Info(kComponent, "streaming the binlog of {} from {} at {}", config_.connection.Where(),
            options.file, options.position);
  return Status::Ok();
}

Result<SourceBatch> MysqlSource::PollStream(size_t max_records, std::chrono::milliseconds max_wait,
                                            std::stop_token stop) {
  if (!pump_ && !direct_) RC_RETURN_IF_ERROR(StartStreaming());
  // A stop interrupts a direct stream's wait; what was handled before it is returned.
  std::optional<std::stop_callback<std::function<void()>>> on_stop;
  if (direct_) {
    BinlogStream* stream = direct_.get();
    on_stop.emplace(stop, std::function<void()>([stream] { stream->Interrupt(); }));
  }
  SourceBatch batch;
  emit_ms_ = NowMs();
  const auto deadline = SteadyClock::now() + max_wait;
  // Batches end at about kBatchBytes of events too: the runner queues several while an fsync
  // runs, and large rows would otherwise make each batch many megabytes.
  constexpr size_t kBatchBytes = 512u << 10;
  size_t batch_bytes = 0;
  constexpr auto kLinger = std::chrono::milliseconds(2);
  constexpr size_t kLingerBytes = 64u << 10;
  bool lingered = false;
  std::optional<SteadyClock::time_point> linger_end;  // direct: read on until then
  while (batch.records.size() < max_records && batch_bytes < kBatchBytes &&
         !stop.stop_requested()) {
    // Without records, wait for an event (in slices, to notice `stop`). With some, take what
    // is queued; when nothing is, linger a moment for kLingerBytes more instead of being woken
    // per event (the server sends event by event), then end the batch.
    std::chrono::milliseconds wait(0);
    size_t min_bytes = 1;
    if (batch.records.empty()) {
      const auto now = SteadyClock::now();
      if (now >= deadline) break;
      wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                      std::chrono::milliseconds(100));
    } else if (!lingered) {
      wait = kLinger;
      min_bytes = kLingerBytes;
    }
    std::string_view event;
    if (direct_) {
      if (!direct_->buffered()) {
        if (!batch.records.empty()) {
          // With records: read on while more comes within kLinger of first running dry.
          const auto now = SteadyClock::now();
          if (!linger_end) linger_end = now + kLinger;
          wait = std::chrono::ceil<std::chrono::milliseconds>(
              std::max(*linger_end - now, SteadyClock::duration::zero()));
        }
        Result<bool> ready = direct_->Readable(wait);
        if (!ready.ok() && stop.stop_requested()) break;
        RC_RETURN_IF_ERROR(ready.status());
        if (!*ready) {
          if (batch.records.empty()) continue;
          break;
        }
      }
      Result<RawEvent> raw = direct_->Next();
      if (!raw.ok() && stop.stop_requested()) break;
      RC_RETURN_IF_ERROR(raw.status());
      event = raw->bytes;  // valid until the next Next()
    } else {
      if (pending_.empty()) {
        if (!handled_.empty()) pump_->Recycle(&handled_);
        RC_RETURN_IF_ERROR(pump_->Take(&pending_, wait, min_bytes));
        if (pending_.empty()) {
          if (batch.records.empty()) continue;
          if (lingered) break;
          lingered = true;
          continue;
        }
      }
      event = pending_.front();
    }
    batch_bytes += event.size();
    RC_RETURN_IF_ERROR(HandleEvent(event, &batch.records));
    // Records own their bytes: once handled, an event's slab can be reused.
    if (!direct_) pending_.Pop(&handled_);
  }
  std::string position = PositionJson();
  if (position != last_position_json_) {
    batch.position = position;
    last_position_json_ = std::move(position);
  }
  return batch;
}

Status MysqlSource::HandleEvent(std::string_view bytes, std::vector<Record>* out) {
  RC_ASSIGN_OR_RETURN(BinlogEvent event, decoder_.Decode(bytes));
  const EventHeader& h = event.header;
  if (const auto* rows = std::get_if<RowsEvent>(&event.body)) return HandleRows(h, *rows, out);
  if (const auto* gtid = std::get_if<MariaGtidEvent>(&event.body)) {
    BeginTransaction(h, "", gtid->standalone());
    gtid->gtid.AppendTo(tx_gtid_);  // in place: no allocation per transaction
    tx_maria_gtid_ = gtid->gtid;
  } else if (const auto* mysql_gtid = std::get_if<MysqlGtidEvent>(&event.body)) {
    BeginTransaction(h, mysql_gtid->anonymous ? "" : mysql_gtid->ToString(), false);
  } else if (std::holds_alternative<XidEvent>(event.body)) {
    EndTransaction(h.log_pos);
  } else if (const auto* query = std::get_if<QueryEvent>(&event.body)) {
    OnQuery(h, *query);
  } else if (const auto* rotate = std::get_if<RotateEvent>(&event.body)) {
    file_ = std::string(rotate->next_file);
    if (!in_tx_) {
      position_.file = file_;
      position_.pos = rotate->position.value();
    }
  } else if (std::holds_alternative<HeartbeatEvent>(event.body)) {
    // Idle: everything before the server's position is delivered.
    if (!in_tx_ && h.log_pos != 0 && position_.file == file_) {
      position_.pos = std::max<uint64_t>(position_.pos, h.log_pos);
    }
  }
  return Status::Ok();
}

void MysqlSource::BeginTransaction(const EventHeader& header, std::string_view gtid,
                                   bool standalone) {
  in_tx_ = true;
  tx_standalone_ = standalone;
  tx_file_ = file_;
  tx_pos_ = header.start().value();
  tx_gtid_.assign(gtid);
  tx_maria_gtid_.reset();
  tx_rows_ = 0;
  tx_skip_ = 0;
  if (position_.tx && position_.tx->file == tx_file_ && position_.tx->pos == tx_pos_) {
    tx_skip_ = position_.tx->skip;  // delivered before a restart
  }
}

void MysqlSource::EndTransaction(uint64_t end) {
  if (tx_maria_gtid_) {
    gtid_state_[tx_maria_gtid_->domain_id] = *tx_maria_gtid_;
    gtids_changed_ = true;  // the text is made once per batch, in PositionJson
  }
  in_tx_ = false;
  tx_maria_gtid_.reset();
  tx_rows_ = tx_skip_ = 0;
  position_.tx.reset();
  position_.file = file_;
  if (end != 0) position_.pos = end;
}

void MysqlSource::OnQuery(const EventHeader& header, const QueryEvent& query) {
  switch (query.kind) {
    case QueryKind::kBegin:
      if (!in_tx_) BeginTransaction(header, "", false);
      return;
    case QueryKind::kCommit:
    case QueryKind::kRollback:
      EndTransaction(header.log_pos);
      return;
    case QueryKind::kXa:
    case QueryKind::kSavepoint:
      return;
    case QueryKind::kDdl:
      // The columns of any table may have changed: information_schema is asked again when a
      // table's rows come next (tables whose binlog names their columns need nothing).
      rows_reader_.Invalidate();
      catalog_schemas_.clear();
      log::Debug(kComponent, "DDL at {}:{}: {}", file_, header.log_pos, query.sql);
      // A DDL statement commits on its own (MySQL commits implicitly; MariaDB marks its GTID
      // group standalone).
      if (in_tx_ && (tx_standalone_ || tx_rows_ == 0)) EndTransaction(header.log_pos);
      if (!in_tx_) {
        position_.file = file_;
        if (header.log_pos != 0) position_.pos = header.log_pos;
      }
      return;
  }
}

Result<const TableSchema*> MysqlSource::SchemaFor(const TableMap& map) {
  if (map.has_optional(OptionalMetadataType::kColumnName)) {
    auto& slot = map_schemas_[map.table_id];
    if (slot.first.get() != &map) {
      rows_reader_.Invalidate();
      slot.second = std::make_unique<TableSchema>(TableSchema::FromTableMap(map));
      slot.first = decoder_.FindTable(map.table_id);
    }
    return slot.second.get();
  }
  const std::string qualified = map.database + "." + map.table;
  auto it = catalog_schemas_.find(qualified);
  if (it == catalog_schemas_.end() || it->second->columns().size() != map.columns.size()) {
    RC_ASSIGN_OR_RETURN(CapturedTable t, LoadCapturedTable(*sql_, map.database, map.table));
    if (t.schema.columns().size() != map.columns.size()) {
      return Status::FailedPrecondition(
          "table " + qualified + " has " + std::to_string(t.schema.columns().size()) +
          " columns now but " + std::to_string(map.columns.size()) +
          " in the binlog: its schema changed since these changes, and the server does not "
          "log column names (set binlog_row_metadata = FULL)");
    }
    rows_reader_.Invalidate();
    it = catalog_schemas_.insert_or_assign(qualified, std::make_unique<TableSchema>(std::move(t.schema)))
             .first;
  }
  return it->second.get();
}

Status MysqlSource::HandleRows(const EventHeader& h, const RowsEvent& rows,
                               std::vector<Record>* out) {
  if (!rows.table) return Status::Corruption("rows event for a table id without a table map");
  const TableMap& map = *rows.table;
  if (!config_.filter.Matches(map.database, map.table)) return Status::Ok();
  if (!in_tx_) BeginTransaction(h, "", false);
  RC_ASSIGN_OR_RETURN(const TableSchema* schema, SchemaFor(map));
  RC_RETURN_IF_ERROR(rows_reader_.Start(rows, *schema));
  // Kept from event to event: assigning in place reuses the strings' buffers.
  debezium::SourceInfo& source = row_source_;
  if (source.connector.empty()) {
    source.version = kVersion;
    source.connector = "mysql";
    source.name = config_.server_name;
    source.file.emplace();
  }
  source.ts_ms = static_cast<TimestampMs>(h.timestamp) * 1000;
  source.db.assign(map.database);
  source.table.assign(map.table);
  source.file->assign(file_);
  source.pos = h.start().value();
  if (tx_gtid_.empty()) {
    source.gtid.reset();
  } else if (source.gtid) {
    source.gtid->assign(tx_gtid_);
  } else {
    source.gtid = tx_gtid_;
  }
  source.server_id = h.server_id;
  const bool keyed = !schema->key_columns().empty();
  const debezium::Op op = rows.kind == RowsKind::kWrite    ? debezium::Op::kCreate
                          : rows.kind == RowsKind::kUpdate ? debezium::Op::kUpdate
                                                           : debezium::Op::kDelete;
  // The envelope's tail is the same for every row of the event but for source.row: render it
  // once and split it where "row" goes.
  tail_.clear();
  debezium::AppendEnvelopeTail(tail_, source_writer_, source, op, emit_ms_);
  const size_t row_at = tail_.find("},\"op\":");
  const std::string_view tail_head = std::string_view(tail_).substr(0, row_at);
  const std::string_view tail_rest = std::string_view(tail_).substr(row_at);
  uint32_t row = 0;
  while (!rows_reader_.done()) {
    if (tx_rows_ < tx_skip_) {
      RC_RETURN_IF_ERROR(rows_reader_.SkipImage());
      if (op == debezium::Op::kUpdate) RC_RETURN_IF_ERROR(rows_reader_.SkipImage());
      ++tx_rows_;
      ++row;
      continue;
    }
    std::string value = spare_values_.Take();
    value.reserve(image_.capacity() + 256);
    key_.clear();
    AppendLiteral(value, "{\"before\":");
    if (op == debezium::Op::kCreate) {
      AppendLiteral(value, "null,\"after\":");
      RC_RETURN_IF_ERROR(rows_reader_.AppendImage(value));
      if (keyed) rows_reader_.AppendKey(key_, value);
    } else if (op == debezium::Op::kUpdate) {
      RC_RETURN_IF_ERROR(rows_reader_.AppendImage(value));
      AppendLiteral(value, ",\"after\":");
      RC_RETURN_IF_ERROR(rows_reader_.AppendImage(value));
      if (keyed) rows_reader_.AppendKey(key_, value);
    } else {
      RC_RETURN_IF_ERROR(rows_reader_.AppendImage(value));
      if (keyed) rows_reader_.AppendKey(key_, value);
      AppendLiteral(value, ",\"after\":null");
    }
    value += tail_head;
    AppendLiteral(value, ",\"row\":");
    json::AppendInt(value, row);
    value += tail_rest;
    if (value.size() > image_.capacity()) image_.reserve(value.size());  // size hint only
    Record record;
    if (keyed) record.key = key_;
    record.value = std::move(value);
    record.timestamp_ms = source.ts_ms;
    out->push_back(std::move(record));
    ++tx_rows_;
    ++row;
  }
  return Status::Ok();
}

std::string MysqlSource::GtidStateText() const {
  std::string out;
  for (const auto& [domain, gtid] : gtid_state_) {
    if (!out.empty()) out += ',';
    out += gtid.ToString();
  }
  return out;
}

std::string MysqlSource::PositionJson() {
  if (gtids_changed_) {
    position_.gtids = GtidStateText();
    gtids_changed_ = false;
  }
  MysqlPosition p = position_;
  if (in_tx_ && tx_rows_ > 0) {
    p.tx = MysqlPosition::Transaction{tx_file_, tx_pos_, tx_gtid_, tx_rows_};
  }
  return p.ToJson();
}

}  // namespace rivven::mysql
