#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/pg_value.h"
#include "connectors/postgres/pgoutput.h"
#include "record/debezium.h"
#include "record/record.h"

/// Turns rows of a captured table into Debezium change events (DESIGN §3): the record key is
/// the primary key as a JSON object (null without one), the value the envelope.
namespace rivven::postgres {

/// A captured table as the change events need it.
struct TableShape {
  uint32_t relation_id = 0;  ///< pgoutput's id (the table's OID); 0 for snapshot-only use
  std::string schema;
  std::string table;
  char replica_identity = 'd';
  struct Column {
    std::string name;
    uint32_t type_oid = 0;
  };
  std::vector<Column> columns;
  /// Indexes into `columns` of the key columns, in key order: the primary key, else the
  /// replica identity index; empty = no key (the record key is null).
  std::vector<size_t> key_columns;
  /// `"name":` of each column, JSON-escaped once (filled on first use by the builder).
  mutable std::vector<std::string> json_names;
};

/// One row as text values per column (nullopt = NULL); `unchanged[i]` marks an unchanged
/// TOAST value the server did not send.
struct RowText {
  std::vector<std::optional<std::string_view>> values;
  std::vector<bool> unchanged;
};

/// What is common to the events of one transaction / snapshot.
struct EventContext {
  std::string server_name;
  std::string database;
  int64_t ts_ms = 0;  ///< commit time (streaming) or read time (snapshot)
  debezium::Snapshot snapshot = debezium::Snapshot::kFalse;
  std::optional<int64_t> tx_id;
  std::optional<Lsn> lsn;
};

/// Builds records; keeps its buffers between calls (one per source; not thread-safe).
class ChangeEventBuilder {
 public:
  ChangeEventBuilder(const TypeCatalog& catalog, ValueOptions options,
                     std::string unavailable_placeholder);

  /// A row as a JSON object; columns in `unavailable` (unchanged TOAST) get the placeholder.
  void AppendRowJson(std::string& out, const TableShape& table, const RowText& row);
  /// The key object of `row`, or nullopt when the table has no key columns.
  std::optional<std::string> KeyJson(const TableShape& table, const RowText& row);

  /// The time written as the envelopes' ts_ms until the next call (read once per batch rather
  /// than once per record); 0 = read the clock for each record.
  void SetEmitTime(int64_t now_ms) { emit_ms_ = now_ms; }

  /// A full change record. `before`/`after` may be null (inserts have no before, deletes no
  /// after). Unchanged TOAST values in `after` are filled from `before` when it carries them;
  /// the rest become the placeholder and are named in the header rivven.unavailable_columns.
  Record Build(const TableShape& table, debezium::Op op, const RowText* before,
               const RowText* after, const EventContext& context);
  /// A truncate event (op "t", no key, no rows).
  Record BuildTruncate(const TableShape& table, const EventContext& context);
  /// A logical message event (op "m", as Debezium): {"op":"m","ts_ms","source","message":
  /// {"prefix","content"(base64)}}.
  Record BuildMessage(std::string_view prefix, std::string_view content,
                      const EventContext& context);

 private:
  /// The source block for `table` (null: none) in `context`; kept between calls so its
  /// strings are not rebuilt for every record.
  const debezium::SourceInfo& SourceFor(const TableShape* table, const EventContext& context);

  const TypeCatalog& catalog_;
  ValueOptions options_;
  std::string placeholder_;
  int64_t emit_ms_ = 0;
  debezium::SourceInfo source_;
  debezium::SourceWriter source_writer_;
  size_t value_size_hint_ = 512;  ///< the last value's size: reserved up front for the next
  RowText merged_;
};

/// Standard base64 with padding.
void AppendBase64(std::string& out, std::string_view bytes);

}  // namespace rivven::postgres
