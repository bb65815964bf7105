#include "connectors/mysql/mysql_catalog.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "base/json_escape.h"
#include "connectors/mysql/mysql_charset.h"

namespace rivven::mysql {
namespace {

bool SystemDatabase(std::string_view db) {
  return db == "mysql" || db == "information_schema" || db == "performance_schema" || db == "sys";
}

std::string Quoted(Connection& conn, std::string_view text) {
  return "'" + conn.Escape(text) + "'";
}

std::string Text(const QueryResult& r, size_t row, std::string_view column) {
  auto v = r.Value(row, column);
  return v ? std::string(*v) : std::string();
}

// True when the grants text names the privilege, or ALL PRIVILEGES / SUPER covering it.
bool Granted(const std::vector<std::string>& grants, std::string_view privilege) {
  for (const std::string& g : grants) {
    // Global grants only ("ON *.*"): replication privileges exist only there.
    if (g.find(" ON *.*") == std::string::npos) continue;
    if (g.find("ALL PRIVILEGES") != std::string::npos) return true;
    if (g.find(privilege) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> ParseEnumLabels(std::string_view type) {
  std::vector<std::string> labels;
  const bool is_enum = type.rfind("enum(", 0) == 0;
  const bool is_set = type.rfind("set(", 0) == 0;
  if (!is_enum && !is_set) return labels;
  size_t i = type.find('(') + 1;
  while (i < type.size() && type[i] == '\'') {
    std::string label;
    ++i;
    while (i < type.size()) {
      if (type[i] == '\'') {
        if (i + 1 < type.size() && type[i + 1] == '\'') {
          label += '\'';
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      if (type[i] == '\\' && i + 1 < type.size()) {
        label += type[i + 1];
        i += 2;
        continue;
      }
      label += type[i++];
    }
    labels.push_back(std::move(label));
    if (i < type.size() && type[i] == ',') ++i;
  }
  return labels;
}

Result<std::vector<std::pair<std::string, std::string>>> ListCapturedTables(
    Connection& conn, const TableFilter& filter) {
  std::string sql =
      "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = "
      "'BASE TABLE'";
  if (!filter.databases().empty()) {
    sql += " AND TABLE_SCHEMA IN (";
    for (size_t i = 0; i < filter.databases().size(); ++i) {
      if (i > 0) sql += ',';
      sql += Quoted(conn, filter.databases()[i]);
    }
    sql += ')';
  }
  sql += " ORDER BY TABLE_SCHEMA, TABLE_NAME";
  RC_ASSIGN_OR_RETURN(QueryResult r, conn.Query(sql));
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    std::string db = Text(r, i, "TABLE_SCHEMA");
    std::string table = Text(r, i, "TABLE_NAME");
    if (SystemDatabase(db) || !filter.Matches(db, table)) continue;
    out.emplace_back(std::move(db), std::move(table));
  }
  return out;
}

Result<CapturedTable> LoadCapturedTable(Connection& conn, const std::string& database,
                                        const std::string& table) {
  const std::string where =
      " WHERE TABLE_SCHEMA = " + Quoted(conn, database) + " AND TABLE_NAME = " + Quoted(conn, table);
  RC_ASSIGN_OR_RETURN(
      QueryResult columns,
      conn.Query("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME "
                 "FROM information_schema.COLUMNS" +
                 where + " ORDER BY ORDINAL_POSITION"));
  if (columns.rows() == 0) {
    return Status::NotFound("table " + database + "." + table + " does not exist on " +
                            conn.where());
  }
  RC_ASSIGN_OR_RETURN(QueryResult key,
                      conn.Query("SELECT COLUMN_NAME FROM information_schema.STATISTICS" + where +
                                 " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX"));
  // MariaDB's JSON is LONGTEXT with a CHECK (json_valid(`col`)) constraint.
  std::vector<std::string> json_checks;
  if (conn.is_mariadb()) {
    RC_ASSIGN_OR_RETURN(
        QueryResult checks,
        conn.Query("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
                   "CONSTRAINT_SCHEMA = " +
                   Quoted(conn, database) + " AND TABLE_NAME = " + Quoted(conn, table)));
    for (size_t i = 0; i < checks.rows(); ++i) json_checks.push_back(Text(checks, i, "CHECK_CLAUSE"));
  }
  RC_ASSIGN_OR_RETURN(QueryResult stats,
                      conn.Query("SELECT TABLE_ROWS FROM information_schema.TABLES" + where));

  CapturedTable out;
  out.database = database;
  out.table = table;
  std::vector<ColumnSchema> schema_columns;
  for (size_t i = 0; i < columns.rows(); ++i) {
    ColumnSchema c;
    c.name = Text(columns, i, "COLUMN_NAME");
    const std::string data_type = Text(columns, i, "DATA_TYPE");
    const std::string column_type = Text(columns, i, "COLUMN_TYPE");
    c.is_unsigned = column_type.find(" unsigned") != std::string::npos;
    const std::string charset = Text(columns, i, "CHARACTER_SET_NAME");
    if (!charset.empty()) c.charset = CharsetByName(charset);
    c.labels = ParseEnumLabels(column_type);
    c.json = data_type == "json" ||
             std::find(json_checks.begin(), json_checks.end(),
                       "json_valid(`" + c.name + "`)") != json_checks.end();
    out.data_types.push_back(data_type);
    out.column_types.push_back(column_type);
    out.nullable.push_back(Text(columns, i, "IS_NULLABLE") == "YES");
    schema_columns.push_back(std::move(c));
  }
  std::vector<uint32_t> key_columns;
  for (size_t k = 0; k < key.rows(); ++k) {
    const std::string name = Text(key, k, "COLUMN_NAME");
    for (size_t i = 0; i < schema_columns.size(); ++i) {
      if (schema_columns[i].name == name) key_columns.push_back(static_cast<uint32_t>(i));
    }
  }
  if (stats.rows() > 0) {
    out.estimated_rows = std::strtoull(Text(stats, 0, "TABLE_ROWS").c_str(), nullptr, 10);
  }
  out.schema = TableSchema(database, table, std::move(schema_columns), std::move(key_columns));
  return out;
}

Result<std::vector<CapturedTable>> LoadCapturedTables(Connection& conn, const TableFilter& filter) {
  RC_ASSIGN_OR_RETURN(auto names, ListCapturedTables(conn, filter));
  std::vector<CapturedTable> out;
  for (const auto& [db, table] : names) {
    RC_ASSIGN_OR_RETURN(CapturedTable t, LoadCapturedTable(conn, db, table));
    out.push_back(std::move(t));
  }
  return out;
}

Status CheckMysqlSource(const MysqlSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(auto conn, Connection::Open(config.connection));
  RC_ASSIGN_OR_RETURN(QueryResult vars,
                      conn->Query("SELECT @@GLOBAL.log_bin AS log_bin, @@GLOBAL.binlog_format AS "
                                  "binlog_format, @@GLOBAL.binlog_row_image AS binlog_row_image, "
                                  "@@GLOBAL.server_id AS server_id"));
  std::vector<std::string> problems;
  const std::string log_bin = Text(vars, 0, "log_bin");
  if (log_bin != "1" && log_bin != "ON") {
    problems.push_back("the binary log is off (start the server with log_bin)");
  }
  if (const std::string f = Text(vars, 0, "binlog_format"); f != "ROW") {
    problems.push_back("binlog_format is " + f + ", not ROW (SET GLOBAL binlog_format = 'ROW' "
                       "and in the server's configuration)");
  }
  if (const std::string image = Text(vars, 0, "binlog_row_image"); image != "FULL") {
    problems.push_back("binlog_row_image is " + image +
                       ", not FULL (updates and deletes would lack columns)");
  }
  if (Text(vars, 0, "server_id") == std::to_string(config.server_id)) {
    problems.push_back("server_id " + std::to_string(config.server_id) +
                       " is the server's own; choose one no server or replica uses");
  }
  RC_ASSIGN_OR_RETURN(QueryResult grants_result, conn->Query("SHOW GRANTS FOR CURRENT_USER()"));
  std::vector<std::string> grants;
  for (size_t i = 0; i < grants_result.rows(); ++i) {
    auto v = grants_result.Value(i, 0);
    if (v) grants.emplace_back(*v);
  }
  if (!Granted(grants, "REPLICATION SLAVE")) {
    problems.push_back("user " + config.connection.user +
                       " lacks REPLICATION SLAVE (GRANT REPLICATION SLAVE ON *.* TO ...)");
  }
  if (!Granted(grants, "REPLICATION CLIENT") && !Granted(grants, "BINLOG MONITOR") &&
      !Granted(grants, "SUPER")) {
    problems.push_back("user " + config.connection.user +
                       " lacks REPLICATION CLIENT (BINLOG MONITOR on MariaDB), needed to read "
                       "the binlog position");
  }
  for (const std::string& named : config.filter.named()) {
    const size_t dot = named.find('.');
    auto t = LoadCapturedTable(*conn, named.substr(0, dot), named.substr(dot + 1));
    if (!t.ok()) problems.push_back("table " + named + " (in tables) does not exist");
  }
  RC_ASSIGN_OR_RETURN(auto tables, ListCapturedTables(*conn, config.filter));
  for (const auto& [db, table] : tables) {
    Status readable = conn->Exec("SELECT 1 FROM " + Connection::QuoteIdentifier(db) + "." +
                                 Connection::QuoteIdentifier(table) + " LIMIT 0");
    if (!readable.ok()) {
      problems.push_back("cannot read " + db + "." + table + ": " + readable.message());
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string message = "mysql-cdc cannot stream from " + conn->where() + ":";
  for (const std::string& p : problems) message += "\n  - " + p;
  return Status::FailedPrecondition(message);
}

Result<std::vector<StreamDescription>> DiscoverMysqlStreams(const MysqlSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(auto conn, Connection::Open(config.connection));
  RC_ASSIGN_OR_RETURN(std::vector<CapturedTable> tables, LoadCapturedTables(*conn, config.filter));
  std::vector<StreamDescription> streams;
  for (const CapturedTable& t : tables) {
    StreamDescription d;
    d.name = t.Qualified();
    std::string schema = "{\"type\":\"object\",\"properties\":{";
    const auto& columns = t.schema.columns();
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) schema += ',';
      AppendJsonString(schema, columns[i].name);
      schema += ":{\"x-mysql-type\":";
      AppendJsonString(schema, t.column_types[i]);
      schema += t.nullable[i] ? ",\"x-nullable\":true}" : ",\"x-nullable\":false}";
    }
    schema += "},\"x-primary-key\":[";
    for (size_t k = 0; k < t.schema.key_columns().size(); ++k) {
      if (k > 0) schema += ',';
      AppendJsonString(schema, columns[t.schema.key_columns()[k]].name);
    }
    schema += "]}";
    d.json_schema = std::move(schema);
    streams.push_back(std::move(d));
  }
  return streams;
}

}  // namespace rivven::mysql
