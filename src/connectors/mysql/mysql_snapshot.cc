// The snapshot half of the mysql-cdc source: the rows that exist, read consistently with a
// binlog position, chunk by chunk in primary-key order.
#include "base/clock.h"
#include "base/json_escape.h"
#include "base/log.h"
#include "base/version.h"
#include "connectors/mysql/mysql_source.h"
#include "connectors/mysql/mysql_text_value.h"

namespace rivven::mysql {
namespace {

constexpr char kComponent[] = "mysql-cdc";

}  // namespace

Status MysqlSource::BeginSnapshot() {
  cursor_ = std::make_unique<SnapshotCursor>();
  RC_ASSIGN_OR_RETURN(cursor_->conn, Connection::Open(config_.connection));
  Connection& conn = *cursor_->conn;
  RC_RETURN_IF_ERROR(conn.Exec("SET SESSION time_zone = '+00:00'"));
  RC_RETURN_IF_ERROR(conn.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  std::string file, gtids;
  uint64_t pos = 0;
  if (conn.is_mariadb()) {
    // MariaDB reports the binlog position its consistent snapshot corresponds to: no lock.
    RC_RETURN_IF_ERROR(conn.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
    RC_ASSIGN_OR_RETURN(QueryResult status, conn.Query("SHOW STATUS LIKE 'binlog_snapshot_%'"));
    for (size_t i = 0; i < status.rows(); ++i) {
      const std::string name(status.Value(i, 0).value_or(""));
      const std::string value(status.Value(i, 1).value_or(""));
      if (name == "Binlog_snapshot_file") file = value;
      if (name == "Binlog_snapshot_position") pos = std::strtoull(value.c_str(), nullptr, 10);
    }
    if (!file.empty()) {
      RC_ASSIGN_OR_RETURN(QueryResult gtid,
                          conn.Query("SELECT BINLOG_GTID_POS('" + conn.Escape(file) + "', " +
                                     std::to_string(pos) + ")"));
      gtids = std::string(gtid.Value(0, 0).value_or(""));
    }
  } else {
    // MySQL: a short global read lock pins the position while the snapshot starts.
    RC_RETURN_IF_ERROR(conn.Exec("FLUSH TABLES WITH READ LOCK"));
    Status started = conn.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    auto status = started.ok() ? conn.Query("SHOW MASTER STATUS") : Result<QueryResult>(started);
    auto executed = status.ok() ? conn.Query("SELECT @@GLOBAL.gtid_executed")
                                : Result<QueryResult>(status.status());
    RC_RETURN_IF_ERROR(conn.Exec("UNLOCK TABLES"));
    RC_RETURN_IF_ERROR(executed.status());
    if (status->rows() > 0) {
      file = std::string(status->Value(0, "File").value_or(""));
      pos = std::strtoull(std::string(status->Value(0, "Position").value_or("0")).c_str(), nullptr, 10);
    }
    gtids = std::string(executed->Value(0, 0).value_or(""));
  }
  if (file.empty()) {
    return Status::FailedPrecondition("the binary log is off on " + conn.where() +
                                      ": start the server with log_bin");
  }
  cursor_->read_ms = NowMs();
  if (!position_.snapshot) {
    // A new snapshot: streaming starts where it was taken.
    position_.file = file;
    position_.pos = pos;
    position_.gtids = gtids;
    position_.tx.reset();
    position_.snapshot_done = false;
    RC_ASSIGN_OR_RETURN(auto names, ListCapturedTables(conn, config_.filter));
    SnapshotProgress progress;
    for (const auto& [db, table] : names) progress.tables.push_back(db + "." + table);
    position_.snapshot = std::move(progress);
  }
  // Resuming keeps the first snapshot's binlog position: streaming from there replays every
  // change since, so rows delivered before the restart are brought up to date too.
  snapshot_tables_.clear();
  snapshot_estimate_ = 0;
  for (const std::string& name : position_.snapshot->tables) {
    const size_t dot = name.find('.');
    auto table = LoadCapturedTable(conn, name.substr(0, dot), name.substr(dot + 1));
    if (!table.ok() && table.status().code() == StatusCode::kNotFound) {
      log::Warn(kComponent, "table {} is gone; the snapshot skips it", name);
      CapturedTable gone;
      gone.database = name.substr(0, dot);
      gone.table = name.substr(dot + 1);
      snapshot_tables_.push_back(std::move(gone));
      continue;
    }
    RC_RETURN_IF_ERROR(table.status());
    snapshot_estimate_ += table->estimated_rows;
    snapshot_tables_.push_back(std::move(table).value());
  }
  log::Info(kComponent, "snapshot of {} table(s) (about {} rows) at {}:{}", snapshot_tables_.size(),
            snapshot_estimate_, position_.file, position_.pos);
  return Status::Ok();
}

Result<SourceBatch> MysqlSource::PollSnapshot(size_t max_records) {
  SourceBatch batch;
  SnapshotProgress& progress = *position_.snapshot;
  emit_ms_ = NowMs();
  while (batch.records.empty() && progress.table < snapshot_tables_.size()) {
    const CapturedTable& t = snapshot_tables_[progress.table];
    if (t.schema.columns().empty()) {  // gone since the snapshot began
      ++progress.table;
      progress.after.reset();
      cursor_->offset = 0;
      continue;
    }
    SnapshotCursor& c = *cursor_;
    if (c.planned_table != progress.table) {
      c.planned_table = progress.table;
      c.plans.clear();
      c.json_names.clear();
      c.select = "SELECT ";
      const auto& columns = t.schema.columns();
      for (size_t i = 0; i < columns.size(); ++i) {
        c.plans.push_back(MakeTextColumnPlan(t.data_types[i], t.column_types[i], t.nullable[i],
                                             columns[i].json));
        std::string name;
        AppendJsonString(name, columns[i].name);
        c.json_names.push_back(name + ":");
        if (i > 0) c.select += ',';
        c.select += Connection::QuoteIdentifier(columns[i].name);
      }
      c.select += " FROM " + Connection::QuoteIdentifier(t.database) + "." +
                  Connection::QuoteIdentifier(t.table);
      c.order.clear();
      for (size_t k = 0; k < t.schema.key_columns().size(); ++k) {
        c.order += k == 0 ? " ORDER BY " : ",";
        c.order += Connection::QuoteIdentifier(columns[t.schema.key_columns()[k]].name);
      }
    }
    const auto& keys = t.schema.key_columns();
    const int64_t limit = std::min<int64_t>(config_.snapshot_chunk_rows,
                                           static_cast<int64_t>(std::max<size_t>(max_records, 1)));
    std::string sql = c.select;
    if (!keys.empty() && progress.after) {
      // Row-value comparison resumes after the last key delivered.
      std::string lhs = "(", rhs = "(";
      for (size_t k = 0; k < keys.size(); ++k) {
        if (k > 0) {
          lhs += ',';
          rhs += ',';
        }
        lhs += Connection::QuoteIdentifier(t.schema.columns()[keys[k]].name);
        const auto& v = (*progress.after)[k];
        rhs += v ? "'" + c.conn->Escape(*v) + "'" : "NULL";
      }
      sql += " WHERE " + lhs + ") > " + rhs + ")";
    }
    sql += c.order + " LIMIT " + std::to_string(limit);
    if (keys.empty()) sql += " OFFSET " + std::to_string(c.offset);

    debezium::SourceInfo source;
    source.version = kVersion;
    source.connector = "mysql";
    source.name = config_.server_name;
    source.ts_ms = c.read_ms;
    source.snapshot = debezium::Snapshot::kTrue;
    source.db = t.database;
    source.table = t.table;
    source.file = position_.file;
    source.pos = position_.pos;
    std::vector<std::optional<std::string>> last_key;
    int64_t rows = 0;
    RC_RETURN_IF_ERROR(c.conn->QueryEach(sql, [&](const RowView& row) -> Status {
      std::string value = spare_values_.Take();
      value += "{\"before\":null,\"after\":{";
      for (size_t i = 0; i < c.plans.size(); ++i) {
        if (i > 0) value += ',';
        value += c.json_names[i];
        AppendTextValueJson(value, row.Value(i), c.plans[i], row_options_);
      }
      value += '}';
      std::optional<std::string> key;
      if (!keys.empty()) {
        std::string k = "{";
        last_key.clear();
        for (size_t j = 0; j < keys.size(); ++j) {
          if (j > 0) k += ',';
          k += c.json_names[keys[j]];
          AppendTextValueJson(k, row.Value(keys[j]), c.plans[keys[j]], row_options_);
          auto v = row.Value(keys[j]);
          last_key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
        k += '}';
        key = std::move(k);
      }
      debezium::AppendEnvelopeTail(value, source_writer_, source, debezium::Op::kRead, emit_ms_);
      Record record;
      record.key = std::move(key);
      record.value = std::move(value);
      record.timestamp_ms = c.read_ms;
      batch.records.push_back(std::move(record));
      ++rows;
      return Status::Ok();
    }));
    progress.rows += static_cast<uint64_t>(rows);
    const bool table_done = rows < limit;
    if (keys.empty()) c.offset += static_cast<uint64_t>(rows);
    if (!keys.empty() && rows > 0) progress.after = std::move(last_key);
    if (table_done) {
      ++progress.table;
      progress.after.reset();
      c.offset = 0;
    }
  }
  const uint64_t rows_so_far = progress.rows;
  if (progress.table >= snapshot_tables_.size()) {
    // Done: the last row says so, and the position leaves the snapshot behind.
    if (!batch.records.empty()) {
      std::string& v = *batch.records.back().value;
      const size_t marker = v.rfind("\"snapshot\":\"true\"");
      if (marker != std::string::npos) v.replace(marker, 17, "\"snapshot\":\"last\"");
    }
    position_.snapshot.reset();
    position_.snapshot_done = true;
    (void)cursor_->conn->Exec("COMMIT");
    cursor_.reset();
    phase_ = config_.snapshot_mode == SnapshotMode::kInitialOnly ? Phase::kFinished
                                                                 : Phase::kStreaming;
    log::Info(kComponent, "snapshot done: {} rows", rows_so_far);
    batch.finished = phase_ == Phase::kFinished;
  }
  std::string position = position_.ToJson();
  if (position != last_position_json_) {
    batch.position = position;
    last_position_json_ = std::move(position);
  }
  batch.progress = SourceProgress{rows_so_far, std::max(snapshot_estimate_, rows_so_far),
                                  "snapshot rows"};
  return batch;
}

}  // namespace rivven::mysql
