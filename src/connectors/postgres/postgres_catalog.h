#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/pg/pg_connection.h"
#include "connectors/connector.h"
#include "connectors/postgres/change_event.h"
#include "connectors/postgres/postgres_config.h"

/// What the source asks the server's catalogs: tables, keys, the publication, the slot.
namespace rivven::postgres {

/// The session for the source's SQL connections (catalog queries, snapshot, heartbeats).
pg::ConnectionParams SqlParams(const PostgresSourceConfig& config);
/// The walsender connection (replication=database).
pg::ConnectionParams ReplicationParams(const PostgresSourceConfig& config);

/// The shape (columns, types, primary key) of the table with OID `relation_id`.
Result<TableShape> LoadTableShape(pg::Connection& conn, uint32_t relation_id);

/// The tables the publication covers, in schema/table order (with shapes). When the
/// publication does not exist yet: the configured tables, or every ordinary table outside the
/// system schemas when none are configured.
Result<std::vector<TableShape>> LoadCapturedTables(pg::Connection& conn,
                                                   const PostgresSourceConfig& config);

/// Estimated row count of a table (pg_class.reltuples; 0 when never analyzed).
Result<uint64_t> EstimateRows(pg::Connection& conn, const TableShape& table);

/// Creates the publication when it is missing (if allowed), or fails naming what to do.
/// An existing publication is left as it is; tables of publication_tables it lacks are
/// reported as a warning.
Status EnsurePublication(pg::Connection& conn, const PostgresSourceConfig& config);

struct SlotState {
  bool exists = false;
  std::string plugin;
  std::optional<Lsn> confirmed_flush;
  std::string wal_status;  ///< reserved, extended, unreserved, lost
  bool active = false;
  std::string database;
};

Result<SlotState> LookupSlot(pg::Connection& conn, const std::string& slot_name);

struct CreatedSlot {
  Lsn consistent_point = 0;
  std::string snapshot_name;  ///< empty unless exported
};

/// CREATE_REPLICATION_SLOT ... LOGICAL pgoutput on a replication connection. With
/// `export_snapshot`, the snapshot stays importable until the next command on `replication`.
Result<CreatedSlot> CreateSlot(pg::Connection& replication, const std::string& slot_name,
                               bool export_snapshot);

/// `check`: connects, verifies wal_level=logical, the REPLICATION attribute, the slot and the
/// publication (existing and matching, or creatable by this user), without creating anything.
Status CheckPostgresSource(const PostgresSourceConfig& config);

/// `discover`: one stream per captured table with its columns, types and primary key.
Result<std::vector<StreamDescription>> DiscoverPostgresStreams(const PostgresSourceConfig& config);

}  // namespace rivven::postgres
