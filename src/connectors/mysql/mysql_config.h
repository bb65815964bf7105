#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "clients/mysql/mysql_connection.h"
#include "config/schema.h"
#include "connectors/snapshot_mode.h"

namespace re2 {
class RE2;
}

namespace rivven::mysql {

/// Which tables a mysql-cdc source captures: those named in `tables` (as `db.table`) and those
/// whose `db.table` the `table_regex` matches entirely; with neither, every table of the
/// source's database. Immutable; cheap to copy.
class TableFilter {
 public:
  TableFilter() = default;
  /// `tables`: `table` (in `database`) or `db.table`. `regex`: RE2, empty for none; a bad one is
  /// an InvalidArgument naming the pattern and RE2's complaint.
  static Result<TableFilter> Make(const std::string& database, const std::vector<std::string>& tables,
                                  const std::string& regex);
  bool Matches(std::string_view database, std::string_view table) const;
  /// The databases whose tables may match (for information_schema queries): the source's
  /// database and those named in `tables`; empty when the regex may match any database.
  const std::vector<std::string>& databases() const { return databases_; }
  /// The `db.table` names of `tables`.
  const std::vector<std::string>& named() const { return named_; }

 private:
  std::string database_;
  std::vector<std::string> named_;
  std::vector<std::string> databases_;
  std::shared_ptr<const re2::RE2> regex_;
};

/// The typed `config:` block of the mysql-cdc source. Immutable after construction.
struct MysqlSourceConfig {
  ConnectionParams connection;  ///< host, port, database, user, password, ssl_*
  uint32_t server_id = 0;
  TableFilter filter;
  SnapshotMode snapshot_mode = SnapshotMode::kInitial;
  int64_t snapshot_chunk_rows = 10000;
  /// The server sends a heartbeat after this long without events; the position moves with it.
  std::chrono::milliseconds heartbeat_interval{10000};
  bool decimal_as_double = false;  ///< DECIMAL as a JSON number instead of an exact string
  /// `source.name` of the envelopes (Debezium's topic.prefix); default: the source's name.
  std::string server_name;
};

/// The single declaration of the source's keys.
config::Schema MysqlSourceSchema();

/// Reads a config bound against MysqlSourceSchema(); `source_name` is the default server_name.
Result<MysqlSourceConfig> MysqlSourceConfigFromBound(const config::BoundConfig& bound,
                                                     const std::string& source_name);

/// Cross-key checks reported with their place in the file: the regex compiles, TLS files for
/// the modes that need them, certificate and key together.
void ValidateMysqlSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags);

}  // namespace rivven::mysql
