#include "connectors/snowflake/snowflake_sink_config.h"

namespace rivven::snowflake {

using config::Key;
using config::ValueType;

config::Schema SnowflakeSinkSchema() {
  config::Schema s;
  s.Add(Key("account", ValueType::kString,
            "Account identifier (myorg-account123, or the locator xy12345.us-east-1).")
            .Required());
  s.Add(Key("user", ValueType::kString, "User that authenticates with the key pair.").Required());
  s.Add(Key("private_key_path", ValueType::kString,
            "RSA private key, PKCS#8 PEM (encrypted with private_key_passphrase, or not).")
            .Required());
  s.Add(Key("private_key_passphrase", ValueType::kString,
            "Passphrase of an encrypted private key.")
            .Secret());
  s.Add(Key("database", ValueType::kString, "Target database.").Required());
  s.Add(Key("schema", ValueType::kString, "Target schema.").Required());
  s.Add(Key("table", ValueType::kString, "Target table.").Required());
  s.Add(Key("warehouse", ValueType::kString,
            "Compute warehouse for SQL statements (table creation, insert and merge modes)."));
  s.Add(Key("role", ValueType::kString, "Role to use; absent: the user's default role."));
  s.Add(Key("batch_size", ValueType::kInt, "Records per load (per topic partition).")
            .Default("1000")
            .Min(1)
            .Max(1000000));
  s.Add(Key("batch_timeout_secs", ValueType::kDouble,
            "A partial batch is loaded at the latest this long after its first record.")
            .Default("10")
            .Min(0.001)
            .Max(3600));
  s.Add(Key("auto_create_table", ValueType::kBool,
            "Create the table when it does not exist, with columns typed from the first records "
            "(docs/snowflake.md has the mapping).")
            .Default("false"));
  s.Add(Key("mode", ValueType::kString,
            "streaming: Snowpipe Streaming with the source offset as the channel's offset "
            "token (exactly-once); insert: SQL API INSERT (at-least-once); merge: Debezium "
            "envelopes applied as MERGE on the key (upsert, delete on op d).")
            .Default("streaming")
            .OneOf({"streaming", "insert", "merge"}));
  s.Add(Key("key_columns", ValueType::kStringList,
            "merge: the columns that identify a row; absent: the fields of the record key."));
  s.Add(Key("url", ValueType::kString,
            "Base URL of the account; absent: https://<account>.snowflakecomputing.com."));
  s.Add(Key("timeout_secs", ValueType::kInt, "Deadline of one request.")
            .Default("60")
            .Min(1)
            .Max(3600));
  s.Add(Key("max_attempts", ValueType::kInt,
            "Tries of one request (429, 5xx, timeouts are retried with backoff); then the sink "
            "fails and restarts from its last commit.")
            .Default("5")
            .Min(1)
            .Max(100));
  s.Add(Key("commit_wait_secs", ValueType::kInt,
            "streaming: how long a flush waits for Snowflake to commit appended rows; offsets "
            "are committed only for rows Snowflake committed.")
            .Default("30")
            .Min(0)
            .Max(3600));
  s.Add(Key("tls", ValueType::kObject, "TLS to Snowflake (verified unless turned off).")
            .Child(Key("ca_path", ValueType::kString,
                       "CA bundle (PEM); absent: the system's trust store."))
            .Child(Key("verify", ValueType::kBool,
                       "Check the certificate and host name; false logs a warning.")
                       .Default("true")));
  return s;
}

Result<SnowflakeSinkConfig> SnowflakeSinkConfigFromBound(const config::BoundConfig& bound) {
  SnowflakeSinkConfig c;
  c.account = bound.GetString("account");
  c.user = bound.GetString("user");
  c.private_key_path = bound.GetString("private_key_path");
  c.private_key_passphrase = bound.GetString("private_key_passphrase");
  c.database = bound.GetString("database");
  c.schema = bound.GetString("schema");
  c.table = bound.GetString("table");
  for (const auto& [key, value] : {std::pair<const char*, std::string*>{"account", &c.account},
                                   {"user", &c.user},
                                   {"database", &c.database},
                                   {"schema", &c.schema},
                                   {"table", &c.table}}) {
    if (value->empty()) return Status::InvalidArgument(bound.path() + "." + key + ": empty");
  }
  c.warehouse = bound.GetString("warehouse");
  c.role = bound.GetString("role");
  c.batch_size = bound.GetInt("batch_size");
  c.batch_timeout = std::chrono::milliseconds(
      static_cast<int64_t>(bound.GetDouble("batch_timeout_secs") * 1000.0 + 0.5));
  c.auto_create_table = bound.GetBool("auto_create_table");
  const std::string mode = bound.GetString("mode");
  c.mode = mode == "insert" ? LoadMode::kInsert : mode == "merge" ? LoadMode::kMerge
                                                                  : LoadMode::kStreaming;
  c.key_columns = bound.GetStringList("key_columns");
  c.url = bound.GetString("url");
  while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
  if (!c.url.empty() && c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(bound.path() + ".url: '" + c.url +
                                   "' is not an http:// or https:// URL");
  }
  c.timeout = std::chrono::seconds(bound.GetInt("timeout_secs"));
  c.max_attempts = bound.GetInt("max_attempts");
  c.commit_wait = std::chrono::seconds(bound.GetInt("commit_wait_secs"));
  const config::BoundConfig tls = bound.GetObject("tls");
  c.verify_tls = tls.GetBool("verify");
  c.ca_path = tls.GetString("ca_path");
  c.tls_owner = tls.path() + ".verify";
  return c;
}

}  // namespace rivven::snowflake
