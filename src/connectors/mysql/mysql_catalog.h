#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/mysql/mysql_connection.h"
#include "connectors/connector.h"
#include "connectors/mysql/binlog_rows.h"
#include "connectors/mysql/mysql_config.h"

/// What the mysql-cdc source asks information_schema and the server's variables: the captured
/// tables and their columns and keys, and whether the server can stream changes at all.
namespace rivven::mysql {

/// A captured table as information_schema describes it.
struct CapturedTable {
  std::string database;
  std::string table;
  /// Column names, unsigned flags, charsets, ENUM/SET labels, MariaDB JSON columns and the
  /// primary key: what the row decoder needs when the binlog does not carry it.
  TableSchema schema;
  std::vector<std::string> data_types;    ///< DATA_TYPE, e.g. "int"
  std::vector<std::string> column_types;  ///< COLUMN_TYPE, e.g. "int(10) unsigned"
  std::vector<bool> nullable;
  uint64_t estimated_rows = 0;  ///< information_schema.TABLES.TABLE_ROWS (an estimate)

  std::string Qualified() const { return database + "." + table; }
};

/// The base tables `filter` captures, as (database, table), in database/table order. System
/// databases (mysql, information_schema, performance_schema, sys) are never captured.
Result<std::vector<std::pair<std::string, std::string>>> ListCapturedTables(Connection& conn,
                                                                            const TableFilter& filter);

/// One table's shape; NotFound naming it when it does not exist.
Result<CapturedTable> LoadCapturedTable(Connection& conn, const std::string& database,
                                        const std::string& table);

/// ListCapturedTables, each loaded.
Result<std::vector<CapturedTable>> LoadCapturedTables(Connection& conn, const TableFilter& filter);

/// The labels of an ENUM or SET column type as information_schema writes it:
/// "enum('a','it''s')" → {"a", "it's"}. Empty for other types.
std::vector<std::string> ParseEnumLabels(std::string_view column_type);

/// `check`: connects and verifies log_bin=ON, binlog_format=ROW, binlog_row_image=FULL, a
/// server_id different from the server's own, the REPLICATION SLAVE and REPLICATION CLIENT
/// (BINLOG MONITOR) privileges, that listed tables exist and that every captured table can be
/// read; changes nothing. The error names each problem and how to fix it.
Status CheckMysqlSource(const MysqlSourceConfig& config);

/// `discover`: one stream per captured table (db.table) with its columns, types and key.
Result<std::vector<StreamDescription>> DiscoverMysqlStreams(const MysqlSourceConfig& config);

}  // namespace rivven::mysql
