#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/pg/pg_connection.h"
#include "config/schema.h"
#include "connectors/postgres/pg_value.h"
#include "connectors/snapshot_mode.h"

namespace rivven::postgres {

using ::rivven::SnapshotMode;
using ::rivven::SnapshotModeName;

/// A table name as schema + table.
struct TableName {
  std::string schema;
  std::string table;
  std::string Qualified() const { return schema + "." + table; }
  bool operator==(const TableName&) const = default;
};

/// "public.orders" / "orders" (public) / quoted parts are not needed: names are taken as they
/// are written (case-sensitive, as PostgreSQL stores them).
Result<TableName> ParseTableName(const std::string& text);

/// The typed `config:` block of the postgres-cdc source. Immutable after construction.
struct PostgresSourceConfig {
  pg::ConnectionParams connection;  ///< host, port, database, user, password, tls
  std::string slot_name;
  std::string publication_name;
  std::vector<TableName> publication_tables;  ///< empty: every table
  bool auto_create_slot = true;
  bool auto_create_publication = true;
  SnapshotMode snapshot_mode = SnapshotMode::kInitial;
  int64_t snapshot_chunk_rows = 10000;
  std::chrono::milliseconds heartbeat_interval{10000};
  std::string heartbeat_action_query;  ///< empty: none
  std::chrono::milliseconds status_interval{10000};
  ValueOptions values;
  std::string unavailable_value_placeholder = "__debezium_unavailable_value";
  bool include_logical_messages = false;
  std::optional<TableName> signal_table;  ///< Debezium-style signals (execute-snapshot)
  /// `source.name` of the envelopes (Debezium's topic.prefix); default: the source's name.
  std::string server_name;
};

/// The single declaration of the source's keys.
config::Schema PostgresSourceSchema();

/// Reads a config bound against PostgresSourceSchema(); `source_name` is the default for
/// server_name.
Result<PostgresSourceConfig> PostgresSourceConfigFromBound(const config::BoundConfig& bound,
                                                           const std::string& source_name);

/// Cross-key checks (names that PostgreSQL would reject, table names, TLS files for modes
/// that need them).
void ValidatePostgresSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags);

}  // namespace rivven::postgres
