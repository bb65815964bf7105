#include "connectors/mysql/binlog_rows.h"

#include <utility>

#include "base/append_in_place.h"
#include "base/json_escape.h"
#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/mysql_charset.h"

namespace rivven::mysql {
namespace {

inline bool Bit(std::string_view bitmap, size_t i) {
  return (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8) & 1) != 0;
}

}  // namespace

TableSchema::TableSchema(std::string database, std::string table, std::vector<ColumnSchema> columns,
                         std::vector<uint32_t> key_columns)
    : database_(std::move(database)),
      table_(std::move(table)),
      columns_(std::move(columns)),
      key_columns_(std::move(key_columns)) {
  json_names_.reserve(columns_.size());
  json_labels_.resize(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    std::string name;
    AppendJsonString(name, columns_[i].name);
    name.push_back(':');
    json_names_.push_back(PaddedString(name));
    for (const std::string& label : columns_[i].labels) {
      std::string quoted;
      AppendJsonString(quoted, label);
      json_labels_[i].push_back(std::move(quoted));
    }
  }
  // A key column that does not exist would index past the columns when a key is built.
  std::erase_if(key_columns_, [this](uint32_t k) { return k >= columns_.size(); });
}

TableSchema TableSchema::FromTableMap(const TableMap& map) {
  std::vector<ColumnSchema> columns(map.columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const TableColumn& c = map.columns[i];
    ColumnSchema& s = columns[i];
    s.name = c.name.empty() ? "_" + std::to_string(i) : c.name;
    s.is_unsigned = c.is_unsigned.value_or(false);
    s.charset = c.collation != 0 ? CharsetForCollation(c.collation) : nullptr;
    s.labels = c.labels;
  }
  return TableSchema(map.database, map.table, std::move(columns), map.primary_key);
}

Status RowsReader::Start(const RowsEvent& event, const TableSchema& schema) {
  if (event.table == nullptr) {
    return Status::FailedPrecondition("rows event for table id " + std::to_string(event.table_id) +
                                      " without its table map");
  }
  map_ = event.table.get();
  if (schema.columns().size() != map_->columns.size()) {
    return Status::FailedPrecondition(
        "the schema of " + map_->database + "." + map_->table + " has " +
        std::to_string(schema.columns().size()) + " columns, the binlog's table map " +
        std::to_string(map_->columns.size()) + ": the schema is out of date");
  }
  const size_t n = map_->columns.size();
  // The same map and schema as the last event (a table written again and again): the plans
  // hold. planned_map_ keeps the map alive, so its address cannot be reused by another.
  if (planned_map_ != event.table || schema_ != &schema || plans_.size() != n) {
    schema_ = &schema;
    planned_map_ = event.table;
    plans_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const ColumnSchema& c = schema.columns()[i];
      plans_[i] = MakeValuePlan(map_->columns[i], c.is_unsigned, c.charset, c.json,
                                &schema.json_labels(i));
    }
  }
  present_before_ = event.columns_present;
  present_after_ = event.kind == RowsKind::kUpdate ? event.columns_after : event.columns_present;
  rows_ = event.rows;
  pos_ = 0;
  row_index_ = 0;
  update_ = event.kind == RowsKind::kUpdate;
  after_next_ = false;
  value_begin_.assign(n, 0);
  value_end_.assign(n, 0);
  return Status::Ok();
}

Status RowsReader::AppendImage(std::string& out) { return ReadImage(out, true); }

Status RowsReader::SkipImage() {
  thread_local std::string scratch;
  scratch.clear();
  return ReadImage(scratch, false);
}

Status RowsReader::ReadImage(std::string& out, bool write) {
  if (schema_ == nullptr) return Status::FailedPrecondition("RowsReader used before Start");
  const std::string_view present = after_next_ ? present_after_ : present_before_;
  const size_t n = plans_.size();
  size_t present_count = 0;
  for (size_t i = 0; i < n; ++i) present_count += Bit(present, i);
  const size_t null_bytes = (present_count + 7) / 8;
  auto fail = [&](const std::string& why, StatusCode code, int64_t column) {
    std::string msg = "rows of " + map_->database + "." + map_->table + ": row " +
                      std::to_string(row_index_);
    if (update_) msg += after_next_ ? " (after image)" : " (before image)";
    if (column >= 0) {
      msg += ", column " + std::to_string(column) + " " + schema_->columns()[column].name + " (" +
             ColumnTypeName(static_cast<uint8_t>(map_->columns[column].type)) + ")";
    }
    msg += ": " + why + " at row byte " + std::to_string(pos_);
    pos_ = rows_.size();  // nothing after a broken image can be trusted
    return Status::Error(code, std::move(msg));
  };
  if (rows_.size() - pos_ < null_bytes) {
    return fail("the null bitmap needs " + std::to_string(null_bytes) + " bytes, " +
                    std::to_string(rows_.size() - pos_) + " left",
                StatusCode::kCorruption, -1);
  }
  const std::string_view nulls = rows_.substr(pos_, null_bytes);
  pos_ += null_bytes;
  image_start_ = out.size();
  out.push_back('{');
  size_t k = 0;
  bool first = true;
  for (size_t i = 0; i < n; ++i) {
    value_begin_[i] = value_end_[i] = 0;
    if (!Bit(present, i)) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendPadded(out, schema_->json_name(i));
    const size_t begin = out.size();
    if (Bit(nulls, k++)) {
      AppendLiteral(out, "null");
    } else {
      Result<size_t> used = AppendValueJson(out, rows_.substr(pos_), plans_[i], options_);
      if (!used.ok()) {
        return fail(used.status().message(), used.status().code(), static_cast<int64_t>(i));
      }
      pos_ += *used;
    }
    value_begin_[i] = static_cast<uint32_t>(begin - image_start_);
    value_end_[i] = static_cast<uint32_t>(out.size() - image_start_);
  }
  out.push_back('}');
  if (!write) out.resize(image_start_);
  if (update_) {
    after_next_ = !after_next_;
    if (!after_next_) ++row_index_;
  } else {
    ++row_index_;
  }
  return Status::Ok();
}

bool RowsReader::AppendKey(std::string& out, const std::string& image_out) const {
  if (schema_ == nullptr || schema_->key_columns().empty()) return false;
  out.push_back('{');
  bool first = true;
  for (const uint32_t k : schema_->key_columns()) {
    if (!first) out.push_back(',');
    first = false;
    AppendPadded(out, schema_->json_name(k));
    if (value_end_[k] > value_begin_[k]) {
      out.append(image_out, image_start_ + value_begin_[k], value_end_[k] - value_begin_[k]);
    } else {
      out.append("null", 4);
    }
  }
  out.push_back('}');
  return true;
}

}  // namespace rivven::mysql
