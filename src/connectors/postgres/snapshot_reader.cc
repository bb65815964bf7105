#include "connectors/postgres/snapshot_reader.h"

#include <algorithm>
#include <string>

#include "connectors/postgres/pg_value.h"

namespace rivven::postgres {

SnapshotReader::SnapshotReader(pg::Connection& conn, const std::vector<TableShape>& tables,
                               int64_t chunk_rows)
    : conn_(conn), tables_(tables), chunk_rows_(chunk_rows) {}

Status SnapshotReader::Begin(const std::string& snapshot_name) {
  RC_ASSIGN_OR_RETURN(pg::QueryResult begun,
                      conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  if (!snapshot_name.empty()) {
    auto imported = conn_.Exec("SET TRANSACTION SNAPSHOT " + conn_.QuoteLiteral(snapshot_name));
    if (!imported.ok()) return imported.status().WithContext("importing the slot's snapshot");
  }
  return Status::Ok();
}

void SnapshotReader::Seek(size_t table, std::optional<std::vector<std::optional<std::string>>> after) {
  table_ = table;
  after_ = std::move(after);
  table_done_ = false;
}

std::string SnapshotReader::ChunkSql(const TableShape& table) {
  std::string columns;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) columns += ", ";
    columns += conn_.QuoteIdentifier(table.columns[i].name);
  }
  const std::string name = conn_.QuoteIdentifier(table.schema) + "." + conn_.QuoteIdentifier(table.table);
  if (table.key_columns.empty()) {
    // No key: chunks are ranges of heap pages (a TID range scan), resumed at the next page.
    const int64_t first = FirstPage();
    const int64_t pages = PagesPerChunk();
    return "COPY (SELECT " + columns + " FROM ONLY " + name + " WHERE ctid >= '(" +
           std::to_string(first) + ",0)'::tid AND ctid < '(" + std::to_string(first + pages) +
           ",0)'::tid) TO STDOUT";
  }
  std::string key;
  for (size_t k = 0; k < table.key_columns.size(); ++k) {
    if (k > 0) key += ", ";
    key += conn_.QuoteIdentifier(table.columns[table.key_columns[k]].name);
  }
  std::string sql = "COPY (SELECT " + columns + " FROM ONLY " + name;
  if (after_) {
    // Row comparison on the key: (a, b) > ('1', 'x'); literals take the columns' types.
    std::string last;
    for (size_t k = 0; k < after_->size(); ++k) {
      if (k > 0) last += ", ";
      last += (*after_)[k] ? conn_.QuoteLiteral(*(*after_)[k]) : "NULL";
    }
    sql += " WHERE (" + key + ") > (" + last + ")";
  }
  sql += " ORDER BY " + key + " LIMIT " + std::to_string(chunk_rows_) + ") TO STDOUT";
  return sql;
}

Result<bool> SnapshotReader::NextChunk(std::vector<SnapshotRow>* rows, size_t* count) {
  while (table_ < tables_.size()) {
    if (table_done_) {
      ++table_;
      after_.reset();
      table_done_ = false;
      continue;
    }
    const TableShape& table = tables_[table_];
    chunk_start_ = after_;
    size_t n = 0;
    Status copied = conn_.CopyOut(ChunkSql(table), [&](std::string_view line) {
      if (n == rows->size()) rows->emplace_back();
      SnapshotRow& row = (*rows)[n++];
      row.table = table_;
      SplitCopyRow(line, row.storage, row.fields);
      return true;
    });
    if (!copied.ok()) {
      return copied.WithContext("snapshot of " + table.schema + "." + table.table);
    }
    *count = n;
    if (table.key_columns.empty()) {
      // The next chunk starts at the next page range; the table is done past its last page.
      const int64_t next = FirstPage() + PagesPerChunk();
      RC_ASSIGN_OR_RETURN(int64_t pages, PageCount(table));
      after_ = std::vector<std::optional<std::string>>{std::to_string(next)};
      if (next >= pages) table_done_ = true;
      if (n > 0) return true;
      continue;
    }
    if (static_cast<int64_t>(n) < chunk_rows_) table_done_ = true;
    if (n > 0) {
      const SnapshotRow& last = (*rows)[n - 1];
      std::vector<std::optional<std::string>> key;
      for (size_t index : table.key_columns) {
        const auto v = last.value(index);
        key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      }
      after_ = std::move(key);
      return true;
    }
  }
  *count = 0;
  return false;
}

int64_t SnapshotReader::FirstPage() const {
  return after_ && !after_->empty() && (*after_)[0] ? std::stoll(*(*after_)[0]) : 0;
}

int64_t SnapshotReader::PagesPerChunk() const {
  return std::max<int64_t>(1, chunk_rows_ / kRowsPerPageGuess);
}

Result<int64_t> SnapshotReader::PageCount(const TableShape& table) {
  RC_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn_.ExecParams("SELECT pg_relation_size($1::oid) / current_setting('block_size')::int8",
                       {std::to_string(table.relation_id)}));
  return static_cast<int64_t>(std::stoll(std::string(r.get(0, 0))));
}

Status SnapshotReader::Commit() {
  auto done = conn_.Exec("COMMIT");
  return done.ok() ? Status::Ok() : done.status();
}

}  // namespace rivven::postgres
