// The top-level file: declared with the same KeySpec/Schema mechanism as every connector, so
// unknown keys get a did-you-mean at every level and the defaults live in one place.

#include "config/pipeline_config.h"

#include <algorithm>
#include <cctype>

#include "config/scalars.h"
#include "config/schema.h"

namespace rivven::config {
namespace {

constexpr const char* kSupportedVersion = "1.0";
constexpr double kMaxTopicPartitions = 10000;
// The embedded log stores a record of up to 512 MiB in a batch of up to 1 GiB.
constexpr double kMaxRecordBytesLimit = 512.0 * 1024 * 1024;
constexpr double kMaxBatchBytesLimit = 1024.0 * 1024 * 1024;

KeySpec BrokerSpec() {
  KeySpec tls = Key("tls", ValueType::kObject, "TLS to the Kafka-protocol brokers.");
  tls.Child(Key("enabled", ValueType::kBool, "Enable TLS.").Default("false"))
      .Child(Key("cert_path", ValueType::kString, "Client certificate (PEM)."))
      .Child(Key("key_path", ValueType::kString, "Client private key (PEM)."))
      .Child(Key("ca_path", ValueType::kString, "CA bundle used to verify the brokers (PEM)."));
  KeySpec sasl = Key("sasl", ValueType::kObject,
                     "SASL authentication to the Kafka-protocol brokers (with tls.enabled: "
                     "SASL_SSL, else SASL_PLAINTEXT).");
  sasl.Child(Key("mechanism", ValueType::kString, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
                 .OneOf({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}))
      .Child(Key("username", ValueType::kString, "SASL user name."))
      .Child(Key("password", ValueType::kString, "SASL password.").Secret());
  KeySpec broker = Key("broker", ValueType::kObject,
                       "Where topics live: the embedded log (default) or a Kafka cluster.");
  broker
      .Child(Key("bootstrap_servers", ValueType::kStringList,
                 "Kafka-protocol brokers (host:port), a list or a comma-separated string. "
                 "Absent: the embedded broker."))
      // The bounds are librdkafka's for the properties these become.
      .Child(Key("metadata_refresh_ms", ValueType::kInt, "Metadata refresh interval.")
                 .Default("300000")
                 .Min(1)
                 .Max(3600000))
      .Child(Key("connection_timeout_ms", ValueType::kInt, "Per-server connection timeout.")
                 .Default("10000")
                 .Min(1000))
      .Child(Key("request_timeout_ms", ValueType::kInt, "Overall request deadline.")
                 .Default("30000")
                 .Min(10)
                 .Max(300000))
      .Child(std::move(tls))
      .Child(std::move(sasl))
      .Child(Key("librdkafka", ValueType::kStringMap,
                 "Kafka cluster: raw librdkafka properties (e.g. client.id, linger.ms), set after "
                 "everything else; an escape hatch for what no key covers."))
      .Child(Key("checkpoint_topic", ValueType::kString,
                 "Kafka cluster: the compacted topic that keeps source positions.")
                 .Default("_rivven-connect-offsets"))
      .Child(Key("data_dir", ValueType::kString, "Embedded broker: data directory.")
                 .Default("./rivven-data"))
      .Child(Key("flush_interval_ms", ValueType::kInt,
                 "Embedded broker: 0 acknowledges after fsync (group commit); N > 0 fsyncs every "
                 "N ms and may lose the last N ms on power loss.")
                 .Default("0")
                 .Min(0))
      .Child(Key("segment_bytes", ValueType::kInt,
                 "Embedded broker: roll a segment past this size.")
                 .Default("134217728")
                 .Min(1 << 20)
                 .Max(2147483647))
      .Child(Key("page_cache_bytes", ValueType::kInt,
                 "Embedded broker: per partition, how much of the newest fsync'd log stays in "
                 "the OS page cache for consumers that follow the tail; older log is dropped "
                 "from the cache and read from disk. -1 leaves caching to the kernel.")
                 .Default("33554432")
                 .Min(-1))
      .Child(Key("retention_ms", ValueType::kInt,
                 "Embedded broker: delete segments older than this; -1 keeps forever.")
                 .Default("604800000")
                 .Min(-1))
      .Child(Key("retention_bytes", ValueType::kInt,
                 "Embedded broker: per-partition size limit; -1 is unlimited.")
                 .Default("-1")
                 .Min(-1));
  return broker;
}

KeySpec SettingsSpec() {
  KeySpec topic = Key("topic", ValueType::kObject, "Topic auto-creation.");
  topic.Child(Key("auto_create", ValueType::kBool, "Auto-create topics on startup.").Default("true"))
      .Child(Key("default_partitions", ValueType::kInt, "Partitions for new topics.")
                 .Default("1")
                 .Min(1)
                 .Max(kMaxTopicPartitions))
      .Child(Key("default_replication_factor", ValueType::kInt, "Replication for new topics.")
                 .Default("1")
                 .Min(1))
      .Child(Key("require_topic_exists", ValueType::kBool,
                 "Fail if a topic is missing and auto_create is false.")
                 .Default("true"))
      .Child(Key("validate_existing", ValueType::kBool,
                 "Warn when an existing topic's config differs.")
                 .Default("false"));
  KeySpec http = Key("http", ValueType::kObject, "The /metrics, /health and /ready server.");
  http.Child(Key("port", ValueType::kInt, "Listen port; 0 turns the server off.")
                 .Default("0")
                 .Min(0)
                 .Max(65535))
      .Child(Key("bind", ValueType::kString,
                 "Listen address, e.g. 127.0.0.1 to serve only this machine.")
                 .Default("0.0.0.0"));
  KeySpec limits = Key("limits", ValueType::kObject, "Resource limits.");
  limits
      .Child(Key("max_record_bytes", ValueType::kInt,
                 "Largest record (key + value + headers) a source may produce or a sink receive; "
                 "a larger one goes through the connector's on_error.")
                 .Default("16777216")
                 .Min(1024)
                 .Max(kMaxRecordBytesLimit))
      .Child(Key("max_batch_bytes", ValueType::kInt,
                 "Most record bytes handed to a sink in one write, and the bytes of polled "
                 "source batches waiting to be produced; at least max_record_bytes.")
                 .Default("67108864")
                 .Min(1024)
                 .Max(kMaxBatchBytesLimit));
  KeySpec settings = Key("settings", ValueType::kObject, "Pipeline-wide settings.");
  settings.Child(std::move(topic))
      .Child(std::move(limits))
      .Child(std::move(http))
      .Child(Key("shutdown_timeout_ms", ValueType::kInt,
                 "How long a drain on SIGINT/SIGTERM may take.")
                 .Default("30000")
                 .Min(0))
      .Child(Key("log_level", ValueType::kString, "Log verbosity.")
                 .Default("info")
                 .OneOf({"debug", "info", "warn", "error"}));
  return settings;
}

KeySpec SecretsSpec() {
  KeySpec secrets = Key("secrets", ValueType::kObject, "Where secret references resolve.");
  secrets
      .Child(Key("provider", ValueType::kString,
                 "Secret store of vault: references; env and file need no store (env: and file: "
                 "references work with any provider). See docs/secrets.md.")
                 .Required()
                 .OneOf({"vault", "file", "env"}))
      .Child(Key("config", ValueType::kAny,
                 "Provider settings: vault takes the keys below; env and file take none."));
  return secrets;
}

const Schema& TopLevelSchema() {
  static const Schema schema = [] {
    Schema s;
    s.Add(Key("version", ValueType::kString, "Config format version.").Default(kSupportedVersion))
        .Add(BrokerSpec())
        .Add(SettingsSpec())
        .Add(Key("sources", ValueType::kAny, "Sources by name."))
        .Add(Key("sinks", ValueType::kAny, "Sinks by name."))
        .Add(SecretsSpec());
    return s;
  }();
  return schema;
}

// `connector: ""` passes the required check but names nothing.
void CheckNotEmpty(const BoundConfig& entry, std::string_view key, Diagnostics* diags) {
  if (entry.IsSet(key) && entry.GetString(key).empty()) {
    diags->Add(JoinPath(entry.path(), key), entry.MarkOf(key), "must not be empty");
  }
}

// Keys shared by every source and sink entry.
void AddCommonEntryKeys(Schema* s) {
  s->Add(Key("connector", ValueType::kString, "Connector name, e.g. datagen.").Required())
      .Add(Key("enabled", ValueType::kBool, "Run this connector.").Default("true"))
      .Add(Key("transforms", ValueType::kAny, "Transforms applied in order."))
      .Add(Key("rate_limit", ValueType::kObject,
               "Token-bucket throughput limit in records per second (off when absent).")
               .Child(Key("events_per_second", ValueType::kDouble,
                          "Sustained records per second; 0 = unlimited.")
                          .Min(0)
                          .Default("0"))
               .Child(Key("burst_capacity", ValueType::kInt,
                          "Records that may pass at once after idling; default: a tenth of a "
                          "second's worth (at least 1).")
                          .Min(1)))
      .Add(Key("on_error", ValueType::kString,
               "A record that cannot be processed: fail stops the connector with the error, "
               "skip logs and counts it, dlq writes it to dead_letter_topic.")
               .OneOf({"fail", "skip", "dlq"})
               .Default("fail"))
      .Add(Key("dead_letter_topic", ValueType::kString,
               "Topic for rejected records with on_error: dlq; default: <name>.dlq."))
      .Add(Key("config", ValueType::kAny, "The connector's own settings."));
}

const Schema& SourceSchema() {
  static const Schema schema = [] {
    Schema s;
    AddCommonEntryKeys(&s);
    KeySpec topic_config = Key("topic_config", ValueType::kObject,
                               "Per-source overrides of settings.topic.");
    topic_config
        .Child(Key("partitions", ValueType::kInt, "Partitions if the topic is created.")
                   .Min(1)
                   .Max(kMaxTopicPartitions))
        .Child(Key("auto_create", ValueType::kBool, "Auto-create this source's topic."));
    s.Add(Key("topic", ValueType::kString, "Topic the source writes to.").Required())
        .Add(std::move(topic_config));
    return s;
  }();
  return schema;
}

const Schema& SinkSchema() {
  static const Schema schema = [] {
    Schema s;
    AddCommonEntryKeys(&s);
    s.Add(Key("topics", ValueType::kStringList, "Topics the sink reads.").Required())
        .Add(Key("consumer_group", ValueType::kString, "Consumer group; default: the sink name."));
    return s;
  }();
  return schema;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// Source/sink names appear in metrics, checkpoints and consumer groups: keep them plain.
void CheckEntryName(const std::string& name, const std::string& path, Mark mark,
                    Diagnostics* diags) {
  // Names are also directory names under the data dir (connectors/<name>): never . or ..
  bool ok = !name.empty() && name != "." && name != "..";
  for (char c : name) ok = ok && IsNameChar(c);
  if (!ok) {
    diags->Add(path, mark,
               "invalid name '" + name + "': use letters, digits, '.', '_' or '-' (not '.' or '..')");
  }
}

// Kafka's rule for topic names, which the embedded broker also uses for directory names.
void CheckTopicName(const std::string& topic, const std::string& path, Mark mark,
                    Diagnostics* diags) {
  bool ok = !topic.empty() && topic.size() <= 249 && topic != "." && topic != "..";
  for (char c : topic) ok = ok && IsNameChar(c);
  if (!ok) {
    diags->Add(path, mark,
               "invalid topic name '" + topic +
                   "': use 1 to 249 letters, digits, '.', '_' or '-' (not '.' or '..')");
  }
}

std::vector<Node> Transforms(const BoundConfig& entry, Diagnostics* diags) {
  const Node* node = entry.Raw("transforms");
  if (node == nullptr || node->IsNull()) return {};
  if (!node->IsSequence()) {
    diags->Add(JoinPath(entry.path(), "transforms"), node->mark,
               "expected a sequence of transforms (- type: ...), got a " +
                   std::string(node->IsMap() ? "map" : "scalar"));
    return {};
  }
  return node->items;
}

Node RawOrNull(const BoundConfig& entry, std::string_view key) {
  const Node* node = entry.Raw(key);
  return node != nullptr ? *node : Node{};
}

// The map of entries under `sources:` or `sinks:`; nullptr when absent or not a map.
const Node* EntryMap(const BoundConfig& top, const std::string& key, const std::string& noun,
                     Diagnostics* diags) {
  const Node* node = top.Raw(key);
  if (node == nullptr || node->IsNull()) return nullptr;
  if (!node->IsMap()) {
    diags->Add(key, node->mark,
               "expected a map of " + noun + " name -> settings, got a " +
                   (node->IsSequence() ? "sequence" : "scalar"));
    return nullptr;
  }
  return node;
}

// rate_limit, on_error and dead_letter_topic: the same for sources and sinks.
void ReadPolicies(const BoundConfig& entry, const std::string& name, const std::string& path,
                  RateLimit* rate_limit, ErrorPolicy* errors, Diagnostics* diags) {
  const BoundConfig rl = entry.GetObject("rate_limit");
  rate_limit->events_per_second = rl.GetDouble("events_per_second");
  rate_limit->burst_capacity =
      rl.IsSet("burst_capacity")
          ? rl.GetInt("burst_capacity")
          : std::max<int64_t>(1, static_cast<int64_t>(rate_limit->events_per_second / 10));
  const std::string mode = entry.GetString("on_error");
  errors->on_error = mode == "skip" ? OnError::kSkip : mode == "dlq" ? OnError::kDlq : OnError::kFail;
  errors->dead_letter_topic =
      entry.IsSet("dead_letter_topic") ? entry.GetString("dead_letter_topic") : name + ".dlq";
  if (entry.IsSet("dead_letter_topic")) {
    CheckTopicName(errors->dead_letter_topic, JoinPath(path, "dead_letter_topic"),
                   entry.MarkOf("dead_letter_topic"), diags);
    if (errors->on_error != OnError::kDlq) {
      diags->Add(JoinPath(path, "dead_letter_topic"), entry.MarkOf("dead_letter_topic"),
                 "dead_letter_topic has no effect unless on_error is dlq");
    }
  }
}

void ReadSources(const BoundConfig& top, PipelineConfig* out, Diagnostics* diags) {
  const Node* sources = EntryMap(top, "sources", "source", diags);
  if (sources == nullptr) return;
  for (size_t i = 0; i < sources->entries.size(); ++i) {
    const auto& [name, node] = sources->entries[i];
    const Mark mark = sources->key_marks[i];
    const std::string path = JoinPath("sources", name);
    CheckEntryName(name, path, mark, diags);
    const BoundConfig entry = Bind(SourceSchema(), &node, path, mark, diags);
    SourceConfig source;
    source.name = name;
    source.mark = mark;
    CheckNotEmpty(entry, "connector", diags);
    source.connector = entry.GetString("connector");
    source.topic = entry.GetString("topic");
    if (entry.IsSet("topic")) {
      // A source that writes each stream to its own topic (airbyte) names them "prefix.{stream}".
      std::string name = source.topic;
      if (const size_t at = name.find("{stream}"); at != std::string::npos) name.replace(at, 8, "stream");
      CheckTopicName(name, JoinPath(path, "topic"), entry.MarkOf("topic"), diags);
    }
    source.enabled = entry.GetBool("enabled");
    const BoundConfig topic_config = entry.GetObject("topic_config");
    if (topic_config.IsSet("partitions")) {
      source.topic_config.partitions = static_cast<int32_t>(topic_config.GetInt("partitions"));
    }
    if (topic_config.IsSet("auto_create")) {
      source.topic_config.auto_create = topic_config.GetBool("auto_create");
    }
    source.transforms = Transforms(entry, diags);
    ReadPolicies(entry, name, path, &source.rate_limit, &source.errors, diags);
    source.config = RawOrNull(entry, "config");
    out->sources.push_back(std::move(source));
  }
}

void ReadSinks(const BoundConfig& top, PipelineConfig* out, Diagnostics* diags) {
  const Node* sinks = EntryMap(top, "sinks", "sink", diags);
  if (sinks == nullptr) return;
  for (size_t i = 0; i < sinks->entries.size(); ++i) {
    const auto& [name, node] = sinks->entries[i];
    const Mark mark = sinks->key_marks[i];
    const std::string path = JoinPath("sinks", name);
    CheckEntryName(name, path, mark, diags);
    const BoundConfig entry = Bind(SinkSchema(), &node, path, mark, diags);
    SinkConfig sink;
    sink.name = name;
    sink.mark = mark;
    CheckNotEmpty(entry, "connector", diags);
    sink.connector = entry.GetString("connector");
    sink.topics = entry.GetStringList("topics");
    if (entry.IsSet("topics")) {
      const std::string topics_path = JoinPath(path, "topics");
      if (sink.topics.empty()) {
        diags->Add(topics_path, entry.MarkOf("topics"), "must list at least one topic");
      }
      for (const std::string& topic : sink.topics) {
        CheckTopicName(topic, topics_path, entry.MarkOf("topics"), diags);
      }
    }
    sink.consumer_group = entry.GetOptionalString("consumer_group").value_or(name);
    if (sink.consumer_group.empty()) {
      diags->Add(JoinPath(path, "consumer_group"), entry.MarkOf("consumer_group"),
                 "must not be empty");
    }
    sink.enabled = entry.GetBool("enabled");
    sink.transforms = Transforms(entry, diags);
    ReadPolicies(entry, name, path, &sink.rate_limit, &sink.errors, diags);
    sink.config = RawOrNull(entry, "config");
    out->sinks.push_back(std::move(sink));
  }
}

void ReadBroker(const BoundConfig& b, BrokerConfig* out) {
  // "a:9092,b:9092" and a YAML list mean the same thing, as in Kafka's bootstrap.servers.
  for (const std::string& item : b.GetStringList("bootstrap_servers")) {
    for (std::string& server : SplitCommaList(item)) out->bootstrap_servers.push_back(server);
  }
  out->metadata_refresh_ms = b.GetInt("metadata_refresh_ms");
  out->connection_timeout_ms = b.GetInt("connection_timeout_ms");
  out->request_timeout_ms = b.GetInt("request_timeout_ms");
  const BoundConfig tls = b.GetObject("tls");
  out->tls.enabled = tls.GetBool("enabled");
  out->tls.cert_path = tls.GetString("cert_path");
  out->tls.key_path = tls.GetString("key_path");
  out->tls.ca_path = tls.GetString("ca_path");
  const BoundConfig sasl = b.GetObject("sasl");
  out->sasl.mechanism = sasl.GetString("mechanism");
  out->sasl.username = sasl.GetString("username");
  out->sasl.password = sasl.GetString("password");
  out->librdkafka = b.GetStringMap("librdkafka");
  out->checkpoint_topic = b.GetString("checkpoint_topic");
  out->data_dir = b.GetString("data_dir");
  out->flush_interval_ms = b.GetInt("flush_interval_ms");
  out->segment_bytes = b.GetInt("segment_bytes");
  out->page_cache_bytes = b.GetInt("page_cache_bytes");
  out->retention_ms = b.GetInt("retention_ms");
  out->retention_bytes = b.GetInt("retention_bytes");
}

void ReadSettings(const BoundConfig& s, Settings* out) {
  const BoundConfig topic = s.GetObject("topic");
  out->topic.auto_create = topic.GetBool("auto_create");
  out->topic.default_partitions = static_cast<int32_t>(topic.GetInt("default_partitions"));
  out->topic.default_replication_factor =
      static_cast<int32_t>(topic.GetInt("default_replication_factor"));
  out->topic.require_topic_exists = topic.GetBool("require_topic_exists");
  out->topic.validate_existing = topic.GetBool("validate_existing");
  const BoundConfig limits = s.GetObject("limits");
  out->limits.max_record_bytes = limits.GetInt("max_record_bytes");
  out->limits.max_batch_bytes = limits.GetInt("max_batch_bytes");
  out->http_port = static_cast<int32_t>(s.GetObject("http").GetInt("port"));
  out->http_bind = s.GetObject("http").GetString("bind");
  out->shutdown_timeout_ms = s.GetInt("shutdown_timeout_ms");
  out->log_level = s.GetString("log_level");
}

}  // namespace

PipelineConfig ReadPipelineConfig(const Node& root, Diagnostics* diags) {
  PipelineConfig config;
  config.file = diags->file();
  config.version = kSupportedVersion;
  if (!root.IsNull() && !root.IsMap()) {
    diags->Add("", root.mark,
               "expected a map of top-level keys (version, broker, settings, sources, sinks, "
               "secrets), got a " + std::string(root.IsSequence() ? "sequence" : "scalar"));
    return config;
  }
  const BoundConfig top = Bind(TopLevelSchema(), &root, "", root.mark, diags);
  config.version = top.GetString("version");
  if (config.version != kSupportedVersion) {
    diags->Add("version", top.MarkOf("version"),
               "unsupported version '" + config.version + "' (supported: \"" +
                   kSupportedVersion + "\")");
  }
  ReadBroker(top.GetObject("broker"), &config.broker);
  ReadSettings(top.GetObject("settings"), &config.settings);
  if (config.settings.limits.max_batch_bytes < config.settings.limits.max_record_bytes) {
    const BoundConfig limits = top.GetObject("settings").GetObject("limits");
    diags->Add("settings.limits.max_batch_bytes", limits.MarkOf("max_batch_bytes"),
               "must be at least settings.limits.max_record_bytes (" +
                   std::to_string(config.settings.limits.max_record_bytes) + ")");
  }
  ReadSources(top, &config, diags);
  ReadSinks(top, &config, diags);
  const BoundConfig secrets = top.GetObject("secrets");
  config.secrets.provider = secrets.GetString("provider");
  config.secrets.config = RawOrNull(secrets, "config");
  return config;
}

const Schema& PipelineFileSchema() { return TopLevelSchema(); }
const Schema& SourceEntrySchema() { return SourceSchema(); }
const Schema& SinkEntrySchema() { return SinkSchema(); }

}  // namespace rivven::config
