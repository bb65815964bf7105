#include "connectors/postgres/incremental_snapshot.h"

#include <random>

#include "base/log.h"
#include "connectors/postgres/postgres_catalog.h"

namespace rivven::postgres {
namespace {

constexpr char kComponent[] = "postgres-cdc";

std::string RandomNonce() {
  std::random_device device;
  std::mt19937_64 generator((static_cast<uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string nonce;
  for (uint64_t v = generator(), i = 0; i < 12; ++i, v >>= 4) nonce += kHex[v & 15];
  return nonce;
}

}  // namespace

IncrementalSnapshot::IncrementalSnapshot(pg::Connection& sql, ChangeEventBuilder& builder,
                                         std::string slot_name, int64_t chunk_rows)
    : sql_(sql),
      builder_(builder),
      slot_name_(std::move(slot_name)),
      chunk_rows_(chunk_rows),
      nonce_(RandomNonce()) {}

Status IncrementalSnapshot::ResolveTables(const std::vector<std::string>& names, size_t first_new) {
  for (size_t i = first_new; i < names.size(); ++i) {
    auto oid = sql_.ExecParams("SELECT to_regclass($1)::oid::int8", {names[i]});
    if (!oid.ok()) return oid.status();
    if (oid->is_null(0, 0)) {
      log::Warn(kComponent, "incremental snapshot: table {} not found, left out", names[i]);
      continue;
    }
    RC_ASSIGN_OR_RETURN(TableShape shape,
                        LoadTableShape(sql_, static_cast<uint32_t>(std::stoul(std::string(oid->get(0, 0))))));
    if (shape.key_columns.empty()) {
      log::Warn(kComponent, "incremental snapshot: table {} has no primary key, left out", names[i]);
      continue;
    }
    names_.push_back(shape.schema + "." + shape.table);
    tables_.push_back(std::move(shape));
  }
  return Status::Ok();
}

Status IncrementalSnapshot::AddTables(const std::vector<std::string>& names) {
  const bool was_active = active();
  RC_RETURN_IF_ERROR(ResolveTables(names, 0));
  if (!was_active && active()) {
    table_ = 0;
    after_.reset();
    rows_ = 0;
    reader_ = std::make_unique<SnapshotReader>(sql_, tables_, chunk_rows_);
    reader_->Seek(0, std::nullopt);
    window_pending_ = window_open_ = false;
  }
  log::Info(kComponent, "incremental snapshot of {} table(s) requested", names.size());
  return Status::Ok();
}

Status IncrementalSnapshot::Restore(const SourcePosition::Snapshot& state) {
  names_.clear();
  tables_.clear();
  RC_RETURN_IF_ERROR(ResolveTables(state.tables, 0));
  if (!active()) return Status::Ok();
  table_ = std::min(state.table, tables_.size());
  after_ = state.after;
  rows_ = state.rows;
  reader_ = std::make_unique<SnapshotReader>(sql_, tables_, chunk_rows_);
  reader_->Seek(table_, after_);
  window_pending_ = window_open_ = false;
  return Status::Ok();
}

std::string IncrementalSnapshot::WatermarkId(const char* kind) const {
  return slot_name_ + ":" + nonce_ + ":" + std::to_string(window_) + ":" + kind;
}

Status IncrementalSnapshot::EmitWatermark(const char* kind) {
  auto emitted = sql_.ExecParams("SELECT pg_logical_emit_message(false, $1, $2)",
                                 {std::string(kWatermarkPrefix), WatermarkId(kind)});
  return emitted.ok() ? Status::Ok() : emitted.status().WithContext("writing a snapshot watermark");
}

Status IncrementalSnapshot::MaybeOpenWindow() {
  if (!active() || window_pending_) return Status::Ok();
  ++window_;
  chunk_keys_.clear();
  chunk_index_.clear();
  RC_RETURN_IF_ERROR(EmitWatermark("open"));
  // The read's snapshot, and which transactions it cannot see yet (see the class comment).
  RC_ASSIGN_OR_RETURN(pg::QueryResult begun,
                      sql_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  auto in_progress = sql_.Exec(
      "SELECT pg_snapshot_xmax(s)::text, x::text FROM pg_current_snapshot() s "
      "LEFT JOIN LATERAL pg_snapshot_xip(s) x ON true");
  if (!in_progress.ok()) {
    (void)sql_.Exec("ROLLBACK");
    return in_progress.status();
  }
  unseen_xids_.clear();
  for (int i = 0; i < in_progress->rows(); ++i) {
    // xid8 -> the 32-bit xid pgoutput sends (the epoch is the upper half).
    snapshot_xmax_ = static_cast<uint32_t>(std::stoull(std::string(in_progress->get(i, 0))));
    if (!in_progress->is_null(i, 1)) {
      unseen_xids_.insert(static_cast<uint32_t>(std::stoull(std::string(in_progress->get(i, 1)))));
    }
  }
  size_t count = 0;
  auto read = reader_->NextChunk(&chunk_, &count);
  RC_ASSIGN_OR_RETURN(pg::QueryResult ended, sql_.Exec("COMMIT"));
  if (!read.ok()) return read.status();
  const bool more = *read;
  chunk_.resize(count);
  if (!more) {
    log::Info(kComponent, "incremental snapshot done: {} rows", rows_);
    names_.clear();
    tables_.clear();
    reader_.reset();
    recent_.clear();
    return Status::Ok();
  }
  RC_RETURN_IF_ERROR(EmitWatermark("close"));
  chunk_table_ = chunk_.empty() ? reader_->table() : chunk_.front().table;
  next_table_ = reader_->table();
  next_after_ = reader_->after();
  for (size_t i = 0; i < chunk_.size(); ++i) {
    const SnapshotRow& row = chunk_[i];
    row.ToRowText(&row_);
    std::optional<std::string> key = builder_.KeyJson(tables_[row.table], row_);
    if (key) chunk_index_[*key] = i;
    chunk_keys_.push_back(std::move(key));
  }
  // Changes the stream brought already from transactions the read could not see.
  if (chunk_table_ < tables_.size()) {
    const std::string name = tables_[chunk_table_].schema + "." + tables_[chunk_table_].table;
    for (const RecentChange& change : recent_) {
      if (change.table == name && Unseen(change.xid)) DropFromChunk(change.key);
    }
  }
  window_pending_ = true;
  window_open_ = false;
  return Status::Ok();
}

bool IncrementalSnapshot::Unseen(uint32_t xid) const {
  // At or above xmax (modulo 2^32, as PostgreSQL compares xids), or in progress.
  return static_cast<int32_t>(xid - snapshot_xmax_) >= 0 || unseen_xids_.count(xid) > 0;
}

void IncrementalSnapshot::DropFromChunk(const std::string& key) {
  auto it = chunk_index_.find(key);
  if (it == chunk_index_.end()) return;
  chunk_keys_[it->second].reset();
  chunk_index_.erase(it);
}

void IncrementalSnapshot::OnWatermark(std::string_view content, const EventContext& context,
                                      std::vector<Record>* out) {
  if (!window_pending_) return;
  if (content == WatermarkId("open")) {
    window_open_ = true;
    return;
  }
  if (content != WatermarkId("close")) return;  // another source's, or from before a restart
  EventContext read = context;
  read.snapshot = debezium::Snapshot::kIncremental;
  for (size_t i = 0; i < chunk_.size(); ++i) {
    if (!chunk_keys_[i]) continue;  // replaced by a streamed change
    const SnapshotRow& row = chunk_[i];
    row.ToRowText(&row_);
    out->push_back(builder_.Build(tables_[row.table], debezium::Op::kRead, nullptr, &row_, read));
    ++rows_;
  }
  table_ = next_table_;
  after_ = next_after_;
  chunk_.clear();
  chunk_keys_.clear();
  chunk_index_.clear();
  window_pending_ = window_open_ = false;
}

void IncrementalSnapshot::OnStreamedChange(const TableShape& table,
                                           const std::optional<std::string>& key, uint32_t xid) {
  if (!active() || !key) return;
  recent_.push_back(RecentChange{xid, table.schema + "." + table.table, *key});
  if (recent_.size() > kRecentChanges) recent_.pop_front();
  if (!window_pending_ || chunk_table_ >= tables_.size()) return;
  const TableShape& chunk_table = tables_[chunk_table_];
  if (table.schema != chunk_table.schema || table.table != chunk_table.table) return;
  // Inside the window every change is newer than the read; before it, only those of the
  // transactions the read could not see.
  if (window_open_ || Unseen(xid)) DropFromChunk(*key);
}

std::optional<SourcePosition::Snapshot> IncrementalSnapshot::State() const {
  if (!active()) return std::nullopt;
  SourcePosition::Snapshot state;
  state.tables = names_;
  state.table = table_;
  state.after = after_;
  state.rows = rows_;
  return state;
}

}  // namespace rivven::postgres
