#include "connectors/postgres/postgres_catalog.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/json_escape.h"
#include "base/log.h"

namespace rivven::postgres {
namespace {

constexpr char kComponent[] = "postgres-cdc";

// Columns of a table: name, type OID, and 1-based position in the primary key and in the
// replica identity index (0 = not in it; indkey is an int2vector, whose subscripts start at 0).
constexpr char kColumnsQuery[] = R"SQL(
SELECT n.nspname, c.relname, c.relreplident, a.attname, a.atttypid::int8,
       COALESCE(array_position(pk.indkey::int2[], a.attnum) - array_lower(pk.indkey::int2[], 1) + 1,
                0) AS key_position,
       COALESCE(array_position(ri.indkey::int2[], a.attnum) - array_lower(ri.indkey::int2[], 1) + 1,
                0) AS identity_position
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attgenerated = ''
LEFT JOIN pg_index pk ON pk.indrelid = c.oid AND pk.indisprimary
LEFT JOIN pg_index ri ON ri.indrelid = c.oid AND ri.indisreplident
WHERE c.oid = $1::oid
ORDER BY a.attnum)SQL";

}  // namespace

pg::ConnectionParams SqlParams(const PostgresSourceConfig& config) {
  pg::ConnectionParams p = config.connection;
  p.replication = false;
  return p;
}

pg::ConnectionParams ReplicationParams(const PostgresSourceConfig& config) {
  pg::ConnectionParams p = config.connection;
  p.replication = true;
  return p;
}

Result<TableShape> LoadTableShape(pg::Connection& conn, uint32_t relation_id) {
  RC_ASSIGN_OR_RETURN(pg::QueryResult r, conn.ExecParams(kColumnsQuery, {std::to_string(relation_id)}));
  if (r.rows() == 0) {
    return Status::NotFound("table with OID " + std::to_string(relation_id) + " not found");
  }
  TableShape shape;
  shape.relation_id = relation_id;
  shape.schema = std::string(r.get(0, 0));
  shape.table = std::string(r.get(0, 1));
  shape.replica_identity = r.get(0, 2).empty() ? 'd' : r.get(0, 2)[0];
  std::vector<std::pair<int, size_t>> pk, identity;
  for (int i = 0; i < r.rows(); ++i) {
    TableShape::Column column;
    column.name = std::string(r.get(i, 3));
    column.type_oid = static_cast<uint32_t>(std::strtoul(std::string(r.get(i, 4)).c_str(), nullptr, 10));
    const int key_position = std::atoi(std::string(r.get(i, 5)).c_str());
    const int identity_position = std::atoi(std::string(r.get(i, 6)).c_str());
    if (key_position > 0) pk.emplace_back(key_position, shape.columns.size());
    if (identity_position > 0) identity.emplace_back(identity_position, shape.columns.size());
    shape.columns.push_back(std::move(column));
  }
  auto& key = pk.empty() ? identity : pk;
  std::sort(key.begin(), key.end());
  for (const auto& [position, index] : key) shape.key_columns.push_back(index);
  return shape;
}

Result<std::vector<TableShape>> LoadCapturedTables(pg::Connection& conn,
                                                   const PostgresSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(pg::QueryResult exists,
                      conn.ExecParams("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                      {config.publication_name}));
  std::string sql;
  std::vector<std::optional<std::string>> params;
  if (exists.rows() > 0) {
    sql = "SELECT format('%I.%I', schemaname, tablename)::regclass::oid::int8 FROM "
          "pg_publication_tables WHERE pubname = $1 ORDER BY schemaname, tablename";
    params.push_back(config.publication_name);
  } else if (!config.publication_tables.empty()) {
    sql = "SELECT c.oid::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND (n.nspname || '.' || c.relname) = ANY($1::text[]) "
          "ORDER BY n.nspname, c.relname";
    std::string list = "{";
    for (size_t i = 0; i < config.publication_tables.size(); ++i) {
      if (i > 0) list += ',';
      list += '"';
      for (char ch : config.publication_tables[i].Qualified()) {
        if (ch == '"' || ch == '\\') list += '\\';
        list += ch;
      }
      list += '"';
    }
    list += '}';
    params.push_back(list);
  } else {
    sql = "SELECT c.oid::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN "
          "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
          "ORDER BY n.nspname, c.relname";
  }
  RC_ASSIGN_OR_RETURN(pg::QueryResult r, conn.ExecParams(sql, params));
  std::vector<TableShape> tables;
  for (int i = 0; i < r.rows(); ++i) {
    const uint32_t oid = static_cast<uint32_t>(std::strtoul(std::string(r.get(i, 0)).c_str(), nullptr, 10));
    RC_ASSIGN_OR_RETURN(TableShape shape, LoadTableShape(conn, oid));
    tables.push_back(std::move(shape));
  }
  return tables;
}

Result<uint64_t> EstimateRows(pg::Connection& conn, const TableShape& table) {
  RC_ASSIGN_OR_RETURN(pg::QueryResult r,
                      conn.ExecParams("SELECT GREATEST(reltuples, 0)::int8 FROM pg_class WHERE oid = $1::oid",
                                      {std::to_string(table.relation_id)}));
  if (r.rows() == 0) return uint64_t{0};
  return static_cast<uint64_t>(std::strtoull(std::string(r.get(0, 0)).c_str(), nullptr, 10));
}

Status EnsurePublication(pg::Connection& conn, const PostgresSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(pg::QueryResult exists,
                      conn.ExecParams("SELECT puballtables FROM pg_publication WHERE pubname = $1",
                                      {config.publication_name}));
  if (exists.rows() > 0) {
    if (exists.get(0, 0) == "t" || config.publication_tables.empty()) return Status::Ok();
    RC_ASSIGN_OR_RETURN(pg::QueryResult tables,
                        conn.ExecParams("SELECT schemaname || '.' || tablename FROM "
                                        "pg_publication_tables WHERE pubname = $1",
                                        {config.publication_name}));
    for (const TableName& wanted : config.publication_tables) {
      bool found = false;
      for (int i = 0; i < tables.rows() && !found; ++i) found = tables.get(i, 0) == wanted.Qualified();
      if (!found) {
        log::Warn(kComponent,
                  "publication '{}' exists but does not include {}: its changes will not be "
                  "captured (ALTER PUBLICATION {} ADD TABLE {})",
                  config.publication_name, wanted.Qualified(), config.publication_name,
                  wanted.Qualified());
      }
    }
    return Status::Ok();
  }
  if (!config.auto_create_publication) {
    return Status::FailedPrecondition(
        "publication '" + config.publication_name + "' does not exist in database '" +
        config.connection.database +
        "' and auto_create_publication is false: create it (CREATE PUBLICATION " +
        config.publication_name + " FOR TABLE ...) or set auto_create_publication: true");
  }
  std::string sql = "CREATE PUBLICATION " + conn.QuoteIdentifier(config.publication_name);
  if (config.publication_tables.empty()) {
    sql += " FOR ALL TABLES";
  } else {
    sql += " FOR TABLE ";
    for (size_t i = 0; i < config.publication_tables.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += conn.QuoteIdentifier(config.publication_tables[i].schema) + "." +
             conn.QuoteIdentifier(config.publication_tables[i].table);
    }
  }
  auto created = conn.Exec(sql);
  if (!created.ok()) {
    return created.status().WithContext("creating publication '" + config.publication_name + "'");
  }
  log::Info(kComponent, "created publication '{}'", config.publication_name);
  return Status::Ok();
}

Result<SlotState> LookupSlot(pg::Connection& conn, const std::string& slot_name) {
  RC_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.ExecParams("SELECT plugin, confirmed_flush_lsn::text, wal_status, active, "
                      "database FROM pg_replication_slots WHERE slot_name = $1",
                      {slot_name}));
  SlotState state;
  if (r.rows() == 0) return state;
  state.exists = true;
  state.plugin = std::string(r.get(0, 0));
  if (!r.is_null(0, 1)) {
    RC_ASSIGN_OR_RETURN(Lsn lsn, ParseLsn(r.get(0, 1)));
    state.confirmed_flush = lsn;
  }
  state.wal_status = std::string(r.get(0, 2));
  state.active = r.get(0, 3) == "t";
  state.database = std::string(r.get(0, 4));
  return state;
}

Result<CreatedSlot> CreateSlot(pg::Connection& replication, const std::string& slot_name,
                               bool export_snapshot) {
  const std::string sql = "CREATE_REPLICATION_SLOT " + replication.QuoteIdentifier(slot_name) +
                          " LOGICAL pgoutput " +
                          (export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
  auto r = replication.Exec(sql);
  if (!r.ok()) return r.status().WithContext("creating replication slot '" + slot_name + "'");
  CreatedSlot created;
  RC_ASSIGN_OR_RETURN(created.consistent_point, ParseLsn(r->get(0, 1)));
  if (!r->is_null(0, 2)) created.snapshot_name = std::string(r->get(0, 2));
  log::Info(kComponent, "created replication slot '{}' at {}", slot_name,
            FormatLsn(created.consistent_point));
  return created;
}

Status CheckPostgresSource(const PostgresSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(SqlParams(config)));
  RC_ASSIGN_OR_RETURN(pg::QueryResult wal, conn->Exec("SHOW wal_level"));
  if (wal.get(0, 0) != "logical") {
    return Status::FailedPrecondition(
        "wal_level is '" + std::string(wal.get(0, 0)) + "' on " + conn->where() +
        ": logical replication needs wal_level = logical (set it in postgresql.conf and restart "
        "the server)");
  }
  RC_ASSIGN_OR_RETURN(pg::QueryResult role,
                      conn->Exec("SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = "
                                 "current_user"));
  const bool superuser = role.rows() > 0 && role.get(0, 1) == "t";
  if (role.rows() == 0 || (role.get(0, 0) != "t" && !superuser)) {
    return Status::FailedPrecondition("user '" + config.connection.user +
                                      "' lacks the REPLICATION attribute (ALTER ROLE " +
                                      config.connection.user + " REPLICATION)");
  }
  RC_ASSIGN_OR_RETURN(SlotState slot, LookupSlot(*conn, config.slot_name));
  if (slot.exists) {
    if (slot.plugin != "pgoutput") {
      return Status::FailedPrecondition("replication slot '" + config.slot_name +
                                        "' uses plugin '" + slot.plugin + "', not pgoutput");
    }
    if (slot.database != config.connection.database) {
      return Status::FailedPrecondition("replication slot '" + config.slot_name +
                                        "' belongs to database '" + slot.database + "'");
    }
    if (slot.wal_status == "lost") {
      return Status::FailedPrecondition("replication slot '" + config.slot_name +
                                        "' has lost the WAL it needs (wal_status = lost)");
    }
  } else if (!config.auto_create_slot) {
    return Status::FailedPrecondition("replication slot '" + config.slot_name +
                                      "' does not exist and auto_create_slot is false");
  } else {
    RC_ASSIGN_OR_RETURN(pg::QueryResult free_slots,
                        conn->Exec("SELECT current_setting('max_replication_slots')::int - "
                                   "(SELECT count(*) FROM pg_replication_slots)"));
    if (std::atoi(std::string(free_slots.get(0, 0)).c_str()) <= 0) {
      return Status::FailedPrecondition("no free replication slot (max_replication_slots reached)");
    }
  }
  RC_ASSIGN_OR_RETURN(pg::QueryResult publication,
                      conn->ExecParams("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                       {config.publication_name}));
  if (publication.rows() == 0) {
    if (!config.auto_create_publication) {
      return Status::FailedPrecondition("publication '" + config.publication_name +
                                        "' does not exist and auto_create_publication is false");
    }
    if (config.publication_tables.empty() && !superuser) {
      return Status::FailedPrecondition(
          "publication '" + config.publication_name +
          "' does not exist, and creating it FOR ALL TABLES needs a superuser: create it, or "
          "list publication_tables");
    }
    RC_ASSIGN_OR_RETURN(pg::QueryResult can_create,
                        conn->Exec("SELECT has_database_privilege(current_database(), 'CREATE')"));
    if (can_create.get(0, 0) != "t" && !superuser) {
      return Status::FailedPrecondition("publication '" + config.publication_name +
                                        "' does not exist and user '" + config.connection.user +
                                        "' may not create it (needs CREATE on the database)");
    }
  }
  RC_ASSIGN_OR_RETURN(std::vector<TableShape> tables, LoadCapturedTables(*conn, config));
  for (const TableName& wanted : config.publication_tables) {
    bool found = false;
    for (const TableShape& t : tables) found |= t.schema == wanted.schema && t.table == wanted.table;
    if (!found) return Status::FailedPrecondition("table " + wanted.Qualified() + " not found");
  }
  for (const TableShape& t : tables) {
    RC_ASSIGN_OR_RETURN(
        pg::QueryResult select,
        conn->ExecParams("SELECT has_table_privilege($1::oid, 'SELECT')", {std::to_string(t.relation_id)}));
    if (select.get(0, 0) != "t") {
      return Status::FailedPrecondition("user '" + config.connection.user +
                                        "' may not SELECT from " + t.schema + "." + t.table +
                                        " (needed for the snapshot)");
    }
  }
  return Status::Ok();
}

Result<std::vector<StreamDescription>> DiscoverPostgresStreams(const PostgresSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(SqlParams(config)));
  RC_ASSIGN_OR_RETURN(std::vector<TableShape> tables, LoadCapturedTables(*conn, config));
  std::vector<StreamDescription> streams;
  for (const TableShape& t : tables) {
    RC_ASSIGN_OR_RETURN(
        pg::QueryResult types,
        conn->ExecParams("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                         "attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND "
                         "attgenerated = '' ORDER BY attnum",
                         {std::to_string(t.relation_id)}));
    StreamDescription d;
    d.name = t.schema + "." + t.table;
    std::string schema = "{\"type\":\"object\",\"properties\":{";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i > 0) schema += ',';
      AppendJsonString(schema, t.columns[i].name);
      schema += ":{\"x-postgres-type\":";
      AppendJsonString(schema, static_cast<int>(i) < types.rows() ? types.get(static_cast<int>(i), 0) : "");
      schema += '}';
    }
    schema += "},\"x-primary-key\":[";
    for (size_t k = 0; k < t.key_columns.size(); ++k) {
      if (k > 0) schema += ',';
      AppendJsonString(schema, t.columns[t.key_columns[k]].name);
    }
    schema += "]}";
    d.json_schema = std::move(schema);
    streams.push_back(std::move(d));
  }
  return streams;
}

}  // namespace rivven::postgres
