#include "connectors/mysql/mysql_config.h"

#include <re2/re2.h>

#include <algorithm>

#include "base/warn_once.h"

namespace rivven::mysql {
namespace {

using config::Key;
using config::ValueType;

// "db.table" from a `tables` entry: a bare name is in `database`.
std::string Qualified(const std::string& database, const std::string& entry) {
  return entry.find('.') == std::string::npos ? database + "." + entry : entry;
}

Result<std::shared_ptr<const re2::RE2>> CompileRegex(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return Status::InvalidArgument("table_regex '" + pattern + "' is not a valid RE2 pattern: " +
                                   re->error());
  }
  return re;
}

}  // namespace

Result<TableFilter> TableFilter::Make(const std::string& database,
                                      const std::vector<std::string>& tables,
                                      const std::string& regex) {
  TableFilter f;
  f.database_ = database;
  f.databases_.push_back(database);
  for (const std::string& t : tables) {
    if (t.empty() || t.front() == '.' || t.back() == '.' ||
        t.find('.') != t.rfind('.')) {
      return Status::InvalidArgument("tables: '" + t + "' is not a table or db.table name");
    }
    f.named_.push_back(Qualified(database, t));
    const std::string db = f.named_.back().substr(0, f.named_.back().find('.'));
    if (std::find(f.databases_.begin(), f.databases_.end(), db) == f.databases_.end()) {
      f.databases_.push_back(db);
    }
  }
  if (!regex.empty()) {
    RC_ASSIGN_OR_RETURN(f.regex_, CompileRegex(regex));
    f.databases_.clear();  // a pattern may name any database
  }
  return f;
}

bool TableFilter::Matches(std::string_view database, std::string_view table) const {
  if (named_.empty() && !regex_) return database == database_;
  std::string qualified;
  qualified.reserve(database.size() + 1 + table.size());
  qualified.append(database).append(".").append(table);
  for (const std::string& n : named_) {
    if (n == qualified) return true;
  }
  return regex_ && re2::RE2::FullMatch(qualified, *regex_);
}

config::Schema MysqlSourceSchema() {
  config::Schema s;
  s.Add(Key("host", ValueType::kString, "Database host").Required());
  s.Add(Key("port", ValueType::kInt, "Database port").Default("3306").Min(1).Max(65535));
  s.Add(Key("database", ValueType::kString,
            "Database name: its tables are captured unless tables or table_regex say otherwise")
            .Required());
  s.Add(Key("user", ValueType::kString,
            "Username; needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION "
            "CLIENT (BINLOG MONITOR on MariaDB)")
            .Required());
  s.Add(Key("password", ValueType::kString, "Password").Required().Secret());
  s.Add(Key("server_id", ValueType::kInt,
            "Unique server ID of this replica: no other replica of the server may use it")
            .Required()
            .Min(1)
            .Max(4294967295));
  s.Add(Key("tables", ValueType::kStringList,
            "Tables to include, as table (in database) or db.table; empty = all tables of "
            "database (unless table_regex is set)")
            .Default("[]"));
  s.Add(Key("table_regex", ValueType::kString,
            "Regex filter for tables (RE2), matched against the whole db.table name; a table "
            "is captured when it is listed in tables or matches"));
  s.Add(Key("ssl_mode", ValueType::kString,
            "disabled, preferred (TLS when the server offers it), required (TLS, no "
            "certificate check), verify_ca (the server's certificate is signed by ssl_ca), "
            "verify_identity (verify_ca and the host name matches)")
            .Default("preferred")
            .OneOf({"disabled", "preferred", "required", "verify_ca", "verify_identity"}));
  s.Add(Key("ssl_ca", ValueType::kString,
            "CA certificate(s) that sign the server's certificate (PEM); required for "
            "verify_ca"));
  s.Add(Key("ssl_cert", ValueType::kString, "Client certificate (PEM), optional"));
  s.Add(Key("ssl_key", ValueType::kString, "Client private key (PEM) for ssl_cert"));
  s.Add(SnapshotKey("binlog", "one SELECT per chunk"));
  s.Add(Key("heartbeat_interval_ms", ValueType::kInt,
            "The server sends a heartbeat after this long without binlog events, which keeps "
            "the connection alive and the checkpoint's position current")
            .Default("10000")
            .Min(100)
            .Max(3600000));
  s.Add(Key("decimal_handling", ValueType::kString,
            "DECIMAL columns: string (exact) or double (a JSON number)")
            .Default("string")
            .OneOf({"string", "double"}));
  s.Add(Key("server_name", ValueType::kString,
            "source.name of the change events (Debezium's topic.prefix); default: the "
            "source's name"));
  return s;
}

Result<MysqlSourceConfig> MysqlSourceConfigFromBound(const config::BoundConfig& bound,
                                                     const std::string& source_name) {
  const std::string at = bound.path();
  MysqlSourceConfig c;
  ConnectionParams& conn = c.connection;
  conn.host = bound.GetString("host");
  conn.port = static_cast<int>(bound.GetInt("port"));
  conn.database = bound.GetString("database");
  conn.user = bound.GetString("user");
  conn.password = bound.GetString("password");
  auto mode = ParseSslMode(bound.GetString("ssl_mode"));
  if (!mode.ok()) return Status::InvalidArgument(at + ".ssl_mode: " + mode.status().message());
  conn.ssl_mode = *mode;
  conn.ca_path = bound.IsSet("ssl_ca") ? bound.GetString("ssl_ca") : "";
  conn.cert_path = bound.IsSet("ssl_cert") ? bound.GetString("ssl_cert") : "";
  conn.key_path = bound.IsSet("ssl_key") ? bound.GetString("ssl_key") : "";
  if (conn.ssl_mode == SslMode::kVerifyCa && conn.ca_path.empty()) {
    return Status::InvalidArgument(at + ".ssl_ca: required for ssl_mode verify_ca");
  }
  if (conn.ssl_mode == SslMode::kRequired) {
    log::WarnOnce("mysql", at + ".ssl_mode is required: TLS without certificate verification, "
                                "the server's identity is not checked (verify_identity checks it)");
  }
  if (conn.cert_path.empty() != conn.key_path.empty()) {
    return Status::InvalidArgument(at + ": ssl_cert and ssl_key go together");
  }
  c.server_id = static_cast<uint32_t>(bound.GetInt("server_id"));
  auto filter = TableFilter::Make(conn.database, bound.GetStringList("tables"),
                                  bound.IsSet("table_regex") ? bound.GetString("table_regex") : "");
  if (!filter.ok()) return Status::InvalidArgument(at + "." + filter.status().message());
  c.filter = std::move(filter).value();
  const config::BoundConfig snapshot = bound.GetObject("snapshot");
  auto snapshot_mode = SnapshotModeFromName(snapshot.GetString("mode"));
  if (!snapshot_mode.ok()) {
    return Status::InvalidArgument(snapshot.path() + ".mode: " + snapshot_mode.status().message());
  }
  c.snapshot_mode = *snapshot_mode;
  c.snapshot_chunk_rows = snapshot.GetInt("chunk_rows");
  c.heartbeat_interval = std::chrono::milliseconds(bound.GetInt("heartbeat_interval_ms"));
  c.decimal_as_double = bound.GetString("decimal_handling") == "double";
  c.server_name = bound.IsSet("server_name") ? bound.GetString("server_name") : source_name;
  return c;
}

void ValidateMysqlSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags) {
  // Runs even when binding found errors, so any key may be missing here.
  if (bound.IsSet("table_regex")) {
    if (auto re = CompileRegex(bound.GetString("table_regex")); !re.ok()) {
      diags->Add(bound.path() + ".table_regex", bound.MarkOf("table_regex"), re.status().message());
    }
  }
  if (bound.Has("tables") && bound.Has("database")) {
    auto filter = TableFilter::Make(bound.GetString("database"), bound.GetStringList("tables"), "");
    if (!filter.ok()) {
      diags->Add(bound.path() + ".tables", bound.MarkOf("tables"), filter.status().message());
    }
  }
  const std::string mode = bound.Has("ssl_mode") ? bound.GetString("ssl_mode") : "preferred";
  if (mode == "verify_ca" && !bound.IsSet("ssl_ca")) {
    diags->Add(bound.path() + ".ssl_ca", bound.MarkOf("ssl_mode"),
               "required for ssl_mode verify_ca (the CA that signs the server's certificate)");
  }
  if (bound.IsSet("ssl_cert") != bound.IsSet("ssl_key")) {
    diags->Add(bound.path(), bound.MarkOf("ssl_cert"), "ssl_cert and ssl_key go together");
  }
}

}  // namespace rivven::mysql
