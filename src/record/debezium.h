#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/types.h"

/// The Debezium change-event envelope that CDC sources put in a record's value (DESIGN §3), so
/// existing Debezium consumers read our topics unchanged. Hand-written appends: this runs once
/// per captured row. Thread-safe (no shared state).
namespace rivven::debezium {

/// The change kind, written as `"op"`.
enum class Op {
  kCreate,    ///< "c": insert
  kUpdate,    ///< "u"
  kDelete,    ///< "d"
  kRead,      ///< "r": a row read by a snapshot
  kTruncate,  ///< "t"
};

char OpChar(Op op);
/// The Op for 'c', 'u', 'd', 'r', 't'; nullopt for any other character.
std::optional<Op> OpFromChar(char c);

/// `source.snapshot`: whether the event comes from an initial snapshot, and whether it is the
/// snapshot's last row.
/// kIncremental: a row read by an incremental (ad-hoc) snapshot while streaming, written as
/// "incremental" as Debezium does.
enum class Snapshot { kFalse, kTrue, kLast, kIncremental };

const char* SnapshotName(Snapshot s);

/// The envelope's `source` block. Optional fields are omitted from the JSON when absent;
/// PostgreSQL sources set schema/txId/lsn, MySQL sources file/pos/gtid (and txId-less).
struct SourceInfo {
  std::string version;    ///< rivven-connect version that produced the event
  std::string connector;  ///< "postgresql", "mysql", or another connector name
  std::string name;       ///< logical server / stream name (topic prefix)
  TimestampMs ts_ms = 0;  ///< when the change happened in the database
  Snapshot snapshot = Snapshot::kFalse;
  std::string db;
  std::optional<std::string> schema;
  std::string table;
  std::optional<int64_t> tx_id;  ///< written as "txId"
  std::optional<uint64_t> lsn;
  std::optional<std::string> file;  ///< MySQL binlog file name
  std::optional<uint64_t> pos;      ///< MySQL binlog position
  std::optional<std::string> gtid;
  std::optional<uint32_t> server_id;  ///< MySQL: the server that wrote the change
  std::optional<uint32_t> row;        ///< MySQL: the row's index within its binlog event
};

/// Appends the `source` object in the order of DESIGN §3:
/// version, connector, name, ts_ms, snapshot, db, schema?, table, txId?, lsn?, file?, pos?, gtid?,
/// server_id?, row?
void AppendSource(std::string& out, const SourceInfo& source);

/// Appends `{"before":..,"after":..,"source":{..},"op":"x","ts_ms":..}`. `before`/`after` are
/// already-serialized JSON objects copied verbatim (not validated — callers build them), or
/// nullopt for `null`. `ts_ms` is when the event was produced.
void AppendEnvelope(std::string& out, std::optional<std::string_view> before,
                    std::optional<std::string_view> after, const SourceInfo& source, Op op,
                    TimestampMs ts_ms);

/// Writes the same bytes as AppendSource, faster for a stream of events: the parts that rarely
/// change (version..name, and snapshot..table) are rendered once and copied until they change.
/// One per producing thread.
class SourceWriter {
 public:
  void Append(std::string& out, const SourceInfo& source);

 private:
  SourceInfo last_;     ///< the fields the cached parts were rendered from
  bool valid_ = false;
  std::string head_;    ///< {"version":..,"connector":..,"name":..,"ts_ms":
  std::string middle_;  ///< ,"snapshot":..,"db":..,"schema":..,"table":..
};

/// The envelope after its `after` value: `,"source":{..},"op":"x","ts_ms":..}`. For sources
/// that write `{"before":..,"after":..` themselves, straight into the record's value.
void AppendEnvelopeTail(std::string& out, const SourceInfo& source, Op op, TimestampMs ts_ms);
/// The same through a SourceWriter.
void AppendEnvelopeTail(std::string& out, SourceWriter& writer, const SourceInfo& source, Op op,
                        TimestampMs ts_ms);

/// AppendEnvelope into a fresh string.
std::string BuildEnvelope(std::optional<std::string_view> before,
                          std::optional<std::string_view> after, const SourceInfo& source, Op op,
                          TimestampMs ts_ms);

}  // namespace rivven::debezium
