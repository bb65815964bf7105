#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/diagnostics.h"
#include "config/node.h"

namespace rivven::config {

/// `broker:` — where topics live. No bootstrap_servers means the embedded broker.
struct BrokerConfig {
  std::vector<std::string> bootstrap_servers;
  int64_t metadata_refresh_ms = 300000;
  int64_t connection_timeout_ms = 10000;
  int64_t request_timeout_ms = 30000;
  struct Tls {
    bool enabled = false;
    std::string cert_path, key_path, ca_path;
  } tls;
  struct Sasl {
    std::string mechanism;  ///< PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; empty: none
    std::string username, password;
  } sasl;
  std::vector<std::pair<std::string, std::string>> librdkafka;  ///< raw properties, set last
  std::string checkpoint_topic = "_rivven-connect-offsets";
  // Embedded broker only.
  std::string data_dir = "./rivven-data";
  int64_t flush_interval_ms = 0;        ///< 0: fsync before acknowledging (group commit)
  int64_t segment_bytes = 128LL << 20;  ///< roll a segment past this size
  int64_t page_cache_bytes = 32LL << 20;  ///< per partition; -1: the kernel decides
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  ///< -1: keep forever
  int64_t retention_bytes = -1;         ///< per partition; -1: unlimited
  bool embedded() const { return bootstrap_servers.empty(); }
};

/// `settings.topic:` — topic auto-creation, with the spec's defaults.
struct TopicSettings {
  bool auto_create = true;
  int32_t default_partitions = 1;
  int32_t default_replication_factor = 1;
  bool require_topic_exists = true;
  bool validate_existing = false;
};

/// `settings.limits:` — the largest record a pipeline moves, the most bytes one sink write holds.
struct Limits {
  int64_t max_record_bytes = 16LL << 20;
  int64_t max_batch_bytes = 64LL << 20;
};

struct Settings {
  TopicSettings topic;
  Limits limits;
  int32_t http_port = 0;                 ///< settings.http.port; 0 = off
  std::string http_bind = "0.0.0.0";     ///< settings.http.bind
  int64_t shutdown_timeout_ms = 30000;   ///< settings.shutdown_timeout_ms
  std::string log_level = "info";        ///< settings.log_level
};

/// `rate_limit:` of a source or sink — a token bucket over records. Off when
/// events_per_second is 0.
struct RateLimit {
  double events_per_second = 0;
  int64_t burst_capacity = 0;  ///< tokens the bucket holds; 0 = a tenth of a second's worth
  bool enabled() const { return events_per_second > 0; }
};

/// `on_error:` + `dead_letter_topic:` of a source or sink: what happens to a record that cannot
/// be processed.
enum class OnError { kFail, kSkip, kDlq };
struct ErrorPolicy {
  OnError on_error = OnError::kFail;
  std::string dead_letter_topic;  ///< for kDlq; default "<name>.dlq"
};

/// `sources.<name>.topic_config:` — per-source overrides of settings.topic.
struct TopicOverride {
  std::optional<int32_t> partitions;
  std::optional<bool> auto_create;
};

struct SourceConfig {
  std::string name;
  std::string connector;
  std::string topic;
  bool enabled = true;
  TopicOverride topic_config;
  std::vector<Node> transforms;  ///< bound by the transforms module
  RateLimit rate_limit;
  ErrorPolicy errors;
  Node config;                   ///< bound against the connector's Schema
  Mark mark;                     ///< position of `sources.<name>`
};

struct SinkConfig {
  std::string name;
  std::string connector;
  std::vector<std::string> topics;
  std::string consumer_group;  ///< default: the sink's name
  bool enabled = true;
  std::vector<Node> transforms;
  RateLimit rate_limit;
  ErrorPolicy errors;
  Node config;
  Mark mark;
};

struct SecretsConfig {
  std::string provider;  ///< empty: none configured
  Node config;
};

/// The whole YAML file, after `${VAR}` resolution and validation of every top-level key.
/// Connector `config:` blocks stay as Nodes here; the runtime binds them via the registry.
struct PipelineConfig {
  std::string file;  ///< path it was loaded from
  std::string version;
  BrokerConfig broker;
  Settings settings;
  std::vector<SourceConfig> sources;  ///< file order
  std::vector<SinkConfig> sinks;      ///< file order
  SecretsConfig secrets;
};

class Schema;
/// The declarations of the file's top-level keys and of one `sources.<name>` / `sinks.<name>`
/// entry (without the connector's own `config:` keys), for documentation.
const Schema& PipelineFileSchema();
const Schema& SourceEntrySchema();
const Schema& SinkEntrySchema();

/// Looks up an environment variable; nullopt when unset. Tests inject their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

/// Parses YAML text into Nodes, resolving `${VAR}` and `${VAR:-default}` inside scalar values
/// (not keys, not comments; `$${` is a literal `${`). Malformed YAML and unset variables without
/// a default are added to `diags` (with line:column). Returns nullopt only when the text is not
/// YAML at all.
std::optional<Node> ParseYaml(const std::string& text, const EnvLookup& env, Diagnostics* diags);

/// Validates every top-level key (version, broker, settings, sources, sinks, secrets) and fills
/// a PipelineConfig. Unknown keys get a did-you-mean. All problems go to `diags`.
PipelineConfig ReadPipelineConfig(const Node& root, Diagnostics* diags);

/// Changes the parsed tree before it is read (secret references are resolved this way, by a
/// module this one does not know); problems go to the Diagnostics.
using NodeRewriter = std::function<void(Node* root, Diagnostics* diags)>;

/// Reads `path`, then ParseYaml, `rewrite` (when given) and ReadPipelineConfig. A
/// missing/unreadable file is one diagnostic. The caller checks `diags->empty()`.
PipelineConfig LoadPipelineConfig(const std::string& path, const EnvLookup& env,
                                  Diagnostics* diags, const NodeRewriter& rewrite = {});

}  // namespace rivven::config
