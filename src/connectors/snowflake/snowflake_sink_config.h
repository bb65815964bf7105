#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::snowflake {

/// How records reach the table.
enum class LoadMode {
  kStreaming,  ///< Snowpipe Streaming channels, exactly-once through offset tokens (default)
  kInsert,     ///< SQL API INSERT ... VALUES with bindings (at-least-once fallback)
  kMerge,      ///< Debezium envelopes applied as MERGE on the key (upsert, delete on op "d")
};

/// The typed `config:` block of the snowflake sink.
struct SnowflakeSinkConfig {
  std::string account;
  std::string user;
  std::string private_key_path;
  std::string private_key_passphrase;
  std::string database, schema, table;
  std::string warehouse, role;
  int64_t batch_size = 1000;
  std::chrono::milliseconds batch_timeout{10000};
  bool auto_create_table = false;
  LoadMode mode = LoadMode::kStreaming;
  std::vector<std::string> key_columns;  ///< merge: the key; empty = the record key's fields
  std::string url;  ///< empty: https://<account>.snowflakecomputing.com
  std::chrono::milliseconds timeout{60000};
  int64_t max_attempts = 5;
  std::chrono::milliseconds commit_wait{30000};  ///< streaming: wait for Snowflake's commit
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  ///< the tls.verify key, named in the warning when it is false
};

config::Schema SnowflakeSinkSchema();
Result<SnowflakeSinkConfig> SnowflakeSinkConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::snowflake
