#include "connectors/postgres/change_event.h"

#include "base/clock.h"
#include "base/json_escape.h"
#include "base/version.h"

namespace rivven::postgres {

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
}

ChangeEventBuilder::ChangeEventBuilder(const TypeCatalog& catalog, ValueOptions options,
                                       std::string unavailable_placeholder)
    : catalog_(catalog), options_(options), placeholder_(std::move(unavailable_placeholder)) {}

void ChangeEventBuilder::AppendRowJson(std::string& out, const TableShape& table,
                                       const RowText& row) {
  if (table.json_names.size() != table.columns.size()) {
    table.json_names.clear();
    for (const TableShape::Column& column : table.columns) {
      std::string name;
      AppendJsonString(name, column.name);
      name += ':';
      table.json_names.push_back(std::move(name));
    }
  }
  out += '{';
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += ',';
    out += table.json_names[i];
    const bool unchanged = i < row.unchanged.size() && row.unchanged[i];
    if (unchanged) {
      AppendJsonString(out, placeholder_);
    } else if (i >= row.values.size() || !row.values[i]) {
      out += "null";
    } else {
      AppendValueJson(out, *row.values[i], table.columns[i].type_oid, catalog_, options_);
    }
  }
  out += '}';
}

std::optional<std::string> ChangeEventBuilder::KeyJson(const TableShape& table, const RowText& row) {
  if (table.key_columns.empty()) return std::nullopt;
  std::string key = "{";
  bool first = true;
  for (size_t index : table.key_columns) {
    if (!first) key += ',';
    first = false;
    AppendJsonString(key, table.columns[index].name);
    key += ':';
    if (index >= row.values.size() || !row.values[index]) {
      key += "null";
    } else {
      AppendValueJson(key, *row.values[index], table.columns[index].type_oid, catalog_, options_);
    }
  }
  key += '}';
  return key;
}

const debezium::SourceInfo& ChangeEventBuilder::SourceFor(const TableShape* table,
                                                          const EventContext& context) {
  debezium::SourceInfo& source = source_;
  if (source.version.empty()) {
    source.version = kVersion;
    source.connector = "postgresql";
  }
  if (source.name != context.server_name) source.name = context.server_name;
  if (source.db != context.database) source.db = context.database;
  source.ts_ms = context.ts_ms;
  source.snapshot = context.snapshot;
  if (table != nullptr) {
    if (!source.schema || *source.schema != table->schema) source.schema = table->schema;
    if (source.table != table->table) source.table = table->table;
  } else {
    source.schema.reset();
    source.table.clear();
  }
  source.tx_id = context.tx_id;
  source.lsn = context.lsn;
  return source;
}

Record ChangeEventBuilder::Build(const TableShape& table, debezium::Op op, const RowText* before,
                                 const RowText* after, const EventContext& context) {
  Record record;
  std::string unavailable;
  const RowText* row = after;
  if (after != nullptr) {
    // Unchanged TOAST: take the old value when the server sent the whole old row.
    bool any_unchanged = false;
    for (bool u : after->unchanged) any_unchanged |= u;
    if (any_unchanged) {
      merged_ = *after;
      for (size_t i = 0; i < merged_.unchanged.size(); ++i) {
        if (!merged_.unchanged[i]) continue;
        const bool old_has_it = before != nullptr && i < before->values.size() &&
                                !(i < before->unchanged.size() && before->unchanged[i]) &&
                                before->values[i].has_value();
        if (old_has_it) {
          merged_.values[i] = before->values[i];
          merged_.unchanged[i] = false;
        } else {
          if (!unavailable.empty()) unavailable += ',';
          unavailable += table.columns[i].name;
        }
      }
      row = &merged_;
    }
    record.key = KeyJson(table, *row);
  } else if (before != nullptr) {
    record.key = KeyJson(table, *before);
  }
  // The envelope, written in place: {"before":..,"after":..,"source":..,"op":..,"ts_ms":..}.
  std::string value;
  value.reserve(value_size_hint_ + 64);
  value += "{\"before\":";
  if (before != nullptr) {
    AppendRowJson(value, table, *before);
  } else {
    value += "null";
  }
  value += ",\"after\":";
  if (row != nullptr) {
    AppendRowJson(value, table, *row);
  } else {
    value += "null";
  }
  debezium::AppendEnvelopeTail(value, source_writer_, SourceFor(&table, context), op,
                               emit_ms_ != 0 ? emit_ms_ : NowMs());
  value_size_hint_ = value.size();
  record.value = std::move(value);
  record.timestamp_ms = context.ts_ms;
  if (!unavailable.empty()) {
    record.headers.push_back(RecordHeader{"rivven.unavailable_columns", std::move(unavailable)});
  }
  return record;
}

Record ChangeEventBuilder::BuildTruncate(const TableShape& table, const EventContext& context) {
  Record record;
  record.value = debezium::BuildEnvelope(std::nullopt, std::nullopt, SourceFor(&table, context),
                                         debezium::Op::kTruncate, NowMs());
  record.timestamp_ms = context.ts_ms;
  return record;
}

Record ChangeEventBuilder::BuildMessage(std::string_view prefix, std::string_view content,
                                        const EventContext& context) {
  std::string value = "{\"op\":\"m\",\"ts_ms\":" + std::to_string(NowMs()) + ",\"source\":";
  debezium::AppendSource(value, SourceFor(nullptr, context));
  value += ",\"message\":{\"prefix\":";
  AppendJsonString(value, prefix);
  value += ",\"content\":\"";
  AppendBase64(value, content);
  value += "\"}}";
  Record record;
  record.value = std::move(value);
  record.timestamp_ms = context.ts_ms;
  return record;
}

}  // namespace rivven::postgres
