// Every YAML example in spec/connectors.md, verbatim. Blocks that are whole files go through
// ReadPipelineConfig as they are; fragments (a `config:` or `transforms:` block) are placed inside
// a source entry first. Connector `config:` blocks are raw Nodes at this layer, so they pass here
// and are checked by each connector's own Schema.

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "config/tests/test_util.h"

namespace rivven::config {
namespace {

// The variables the examples reference, as a user would export them.
EnvLookup ExampleEnv() {
  return testing::MapEnv({{"POSTGRES_PASSWORD", "pg"}, {"MYSQL_PASSWORD", "my"},
                          {"API_TOKEN", "t"}, {"TOKEN", "t"}, {"MINIO_ACCESS_KEY", "a"},
                          {"MINIO_SECRET_KEY", "s"}, {"KAFKA_USER", "u"},
                          {"KAFKA_PASSWORD", "p"}, {"STRIPE_ACCOUNT_ID", "acct"},
                          {"STRIPE_SECRET_KEY", "sk"}, {"DATABASE_PASSWORD", "db"},
                          {"VAULT_ROLE_ID", "r"}, {"VAULT_SECRET_ID", "s"}});
}

PipelineConfig ReadExample(const std::string& yaml, Diagnostics* diags) {
  return testing::ReadText(yaml, diags, ExampleEnv());
}

// A fragment indented under `sources.example`, after the keys a source needs.
std::string InSource(const std::string& fragment) {
  std::string out = "sources:\n  example:\n    connector: datagen\n    topic: t\n";
  size_t start = 0;
  while (start < fragment.size()) {
    const size_t end = fragment.find('\n', start);
    const std::string line = fragment.substr(start, end - start);
    out += line.empty() ? "\n" : "    " + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}
constexpr const char* kBootstrapServers = R"yaml(version: "1.0"

broker:
  # Multiple bootstrap servers for high availability
  bootstrap_servers:
    - broker1:9092
    - broker2:9092
    - broker3:9092
  
  # Connection settings (optional)
  metadata_refresh_ms: 300000     # Refresh broker list every 5 min
  connection_timeout_ms: 10000    # Per-server connection timeout
  request_timeout_ms: 30000       # Overall request deadline
  
  # TLS configuration (optional)
  tls:
    enabled: true
    cert_path: /certs/client.crt
    key_path: /certs/client.key
    ca_path: /certs/ca.crt
)yaml";
constexpr const char* kAutoCreateTopics = R"yaml(settings:
  topic:
    auto_create: true              # Enable auto-create (default: true)
    default_partitions: 3          # Partitions for new topics
    default_replication_factor: 1  # Replication (1 for single-node)
    require_topic_exists: true     # Fail if topic missing & auto_create=false
    validate_existing: false       # Warn if existing topic config differs
)yaml";
constexpr const char* kPerSourceTopicOverrides = R"yaml(sources:
  high-throughput:
    connector: postgres-cdc
    topic: cdc.orders
    topic_config:
      partitions: 12               # Override for high-volume topics
      auto_create: true            # Enable/disable per source
)yaml";
constexpr const char* kPostgresCdc = R"yaml(sources:
  postgres:
    connector: postgres-cdc
    topic: cdc.database
    config:
      host: localhost
      port: 5432
      database: mydb
      user: replication_user
      password: ${POSTGRES_PASSWORD}
      slot_name: rivven_slot
      publication_name: rivven_pub
      publication_tables:
        - public.orders
        - public.customers
      tls:
        mode: require
)yaml";
constexpr const char* kMysqlCdc = R"yaml(sources:
  mysql:
    connector: mysql-cdc
    topic: cdc.database
    config:
      host: localhost
      port: 3306
      database: mydb
      user: replication_user
      password: ${MYSQL_PASSWORD}
      server_id: 12345
      tables:
        - orders
        - customers
)yaml";
constexpr const char* kFileSource = R"yaml(sources:
  files:
    connector: file
    topic: imported-data
    config:
      path: /data/input
      format: json
      watch: true
      poll_interval_secs: 10
)yaml";
constexpr const char* kHttpPolling = R"yaml(sources:
  api:
    connector: http-poll
    topic: api-events
    config:
      url: https://api.example.com/events
      method: GET
      headers:
        Authorization: "Bearer ${API_TOKEN}"
      poll_interval_secs: 60
      response_path: "$.data[*]"
)yaml";
constexpr const char* kDatagen = R"yaml(sources:
  demo:
    connector: datagen
    topic: demo-events
    config:
      pattern: orders           # Data pattern (orders, users, pageviews)
      events_per_second: 10     # Generation rate
      max_events: 0             # 0 = unlimited
      stream_name: demo_orders  # Stream identifier
      seed: 42                  # Reproducible data (optional)
      cdc_mode: true            # Simulate INSERT/UPDATE/DELETE
)yaml";
constexpr const char* kS3Sink = R"yaml(sinks:
  s3:
    connector: s3
    topics: [events, logs]
    consumer_group: s3-sink
    config:
      bucket: my-data-lake
      prefix: events
      region: us-east-1
      format: jsonl
      partition_by: day
      compression: gzip
      batch_size: 1000
      batch_timeout_secs: 60
)yaml";
constexpr const char* kSnowflakeSink = R"yaml(sinks:
  snowflake:
    connector: snowflake
    topics: [cdc.orders]
    consumer_group: snowflake-sink
    config:
      account: myorg-account123
      user: RIVVEN_USER
      private_key_path: /secrets/rsa_key.p8
      database: ANALYTICS
      schema: CDC
      table: ORDERS
      warehouse: COMPUTE_WH
      batch_size: 5000
      auto_create_table: true
)yaml";
constexpr const char* kHttpWebhookSink = R"yaml(sinks:
  webhook:
    connector: http-webhook
    topics: [alerts]
    consumer_group: webhook-sink
    config:
      url: https://api.example.com/webhook
      method: POST
      headers:
        Content-Type: application/json
        Authorization: "Bearer ${TOKEN}"
      batch_size: 100
      timeout_secs: 30
      retry:
        max_attempts: 3
        initial_backoff_ms: 1000
        max_backoff_ms: 30000
)yaml";
constexpr const char* kConsoleSink = R"yaml(sinks:
  console:
    connector: stdout
    topics: [debug]
    consumer_group: console-sink
    config:
      format: json
      pretty: true
)yaml";
constexpr const char* kFileSink = R"yaml(sinks:
  files:
    connector: file
    topics: [events]
    consumer_group: file-sink
    config:
      path: /data/output
      format: jsonl
      rotation:
        max_size_mb: 100
        max_age_hours: 24
)yaml";
constexpr const char* kKafkaSink = R"yaml(sinks:
  kafka:
    connector: kafka
    topics: [events]
    consumer_group: kafka-sink
    config:
      bootstrap_servers: kafka:9092
      target_topic: downstream-events
      acks: all
      compression: lz4
      security:
        protocol: SASL_SSL
        mechanism: SCRAM-SHA-512
        username: ${KAFKA_USER}
        password: ${KAFKA_PASSWORD}
)yaml";
constexpr const char* kRateLimiting = R"yaml(sinks:
  api:
    connector: http-webhook
    rate_limit:
      events_per_second: 1000
      burst_capacity: 100
    config:
      url: https://api.example.com/ingest
)yaml";
constexpr const char* kChainTransforms = R"yaml(sources:
  orders:
    connector: postgres-cdc
    topic: cdc.orders
    transforms:
      - type: ExtractNewRecordState
      - type: MaskField
        config:
          fields: [credit_card]
          mask_char: "X"
      - type: ReplaceField
        config:
          rename:
            old_name: new_name
          exclude: [internal_field]
      - type: InsertField
        config:
          static:
            source: "rivven"
          timestamp:
            field: processed_at
)yaml";
constexpr const char* kWasmModule = R"yaml(sources:
  custom:
    connector: wasm
    topic: custom-events
    config:
      module_path: /plugins/my-connector.wasm
      memory_limit_mb: 256
      timeout_secs: 30
      plugin_config:
        # Passed to WASM module
        api_url: https://api.example.com
)yaml";
constexpr const char* kAirbyte = R"yaml(sources:
  stripe:
    connector: airbyte-docker
    topic: stripe-events
    config:
      image: airbyte/source-stripe:latest
      config:
        account_id: ${STRIPE_ACCOUNT_ID}
        client_secret: ${STRIPE_SECRET_KEY}
)yaml";
constexpr const char* kSecretsManagement = R"yaml(secrets:
  provider: vault
  config:
    address: https://vault.example.com
    role_id: ${VAULT_ROLE_ID}
    secret_id: ${VAULT_SECRET_ID}

sources:
  db:
    connector: postgres-cdc
    config:
      password: vault:secret/data/postgres#password
)yaml";
constexpr const char* kS3CompatibleConfig = R"yaml(config:
  endpoint: https://minio.local:9000
  force_path_style: true
  access_key_id: ${MINIO_ACCESS_KEY}
  secret_access_key: ${MINIO_SECRET_KEY}
)yaml";
constexpr const char* kFilterTransform = R"yaml(transforms:
  - type: Filter
    config:
      condition: "value.amount > 100"
      # keep: matches condition are kept
      # drop: matches condition are dropped
      action: keep
)yaml";
constexpr const char* kContentRouterTransform = R"yaml(transforms:
  - type: ContentRouter
    config:
      field: region
      routes:
        us: us-events
        eu: eu-events
        apac: apac-events
      default: other-events
)yaml";
constexpr const char* kEnvironmentVariablesConfig = R"yaml(config:
  password: ${DATABASE_PASSWORD}
  api_key: ${API_KEY:-default_value}  # With default
)yaml";
TEST(ConfigSpecExamples, WholeFilesParseWithoutErrors) {
  const std::vector<std::pair<const char*, const char*>> examples = {
      {"BootstrapServers", kBootstrapServers},
      {"AutoCreateTopics", kAutoCreateTopics},
      {"PerSourceTopicOverrides", kPerSourceTopicOverrides},
      {"PostgresCdc", kPostgresCdc},
      {"MysqlCdc", kMysqlCdc},
      {"FileSource", kFileSource},
      {"HttpPolling", kHttpPolling},
      {"Datagen", kDatagen},
      {"S3Sink", kS3Sink},
      {"SnowflakeSink", kSnowflakeSink},
      {"HttpWebhookSink", kHttpWebhookSink},
      {"ConsoleSink", kConsoleSink},
      {"FileSink", kFileSink},
      {"KafkaSink", kKafkaSink},
      {"ChainTransforms", kChainTransforms},
      {"WasmModule", kWasmModule},
      {"Airbyte", kAirbyte},
  };
  for (const auto& [name, yaml] : examples) {
    Diagnostics diags(name);
    ReadExample(yaml, &diags);
    EXPECT_TRUE(diags.empty()) << diags.Format();
  }
}

TEST(ConfigSpecExamples, FragmentsParseInsideASource) {
  const std::vector<std::pair<const char*, const char*>> fragments = {
      {"S3CompatibleConfig", kS3CompatibleConfig},
      {"FilterTransform", kFilterTransform},
      {"ContentRouterTransform", kContentRouterTransform},
      {"EnvironmentVariablesConfig", kEnvironmentVariablesConfig},
  };
  for (const auto& [name, yaml] : fragments) {
    Diagnostics diags(name);
    const PipelineConfig c = ReadExample(InSource(yaml), &diags);
    EXPECT_TRUE(diags.empty()) << diags.Format();
    EXPECT_EQ(c.sources.size(), 1u) << name;
  }
}

TEST(ConfigSpecExamples, ValuesComeThrough) {
  Diagnostics diags;
  const PipelineConfig broker = ReadExample(kBootstrapServers, &diags);
  EXPECT_EQ(broker.broker.bootstrap_servers,
            (std::vector<std::string>{"broker1:9092", "broker2:9092", "broker3:9092"}));
  EXPECT_TRUE(broker.broker.tls.enabled);
  EXPECT_EQ(broker.broker.tls.cert_path, "/certs/client.crt");
  EXPECT_EQ(broker.broker.metadata_refresh_ms, 300000);

  const PipelineConfig settings = ReadExample(kAutoCreateTopics, &diags);
  EXPECT_EQ(settings.settings.topic.default_partitions, 3);
  EXPECT_TRUE(settings.settings.topic.require_topic_exists);

  const PipelineConfig overrides = ReadExample(kPerSourceTopicOverrides, &diags);
  ASSERT_EQ(overrides.sources.size(), 1u);
  EXPECT_EQ(overrides.sources[0].name, "high-throughput");
  EXPECT_EQ(overrides.sources[0].topic_config.partitions, 12);
  EXPECT_EQ(overrides.sources[0].topic_config.auto_create, true);

  const PipelineConfig pg = ReadExample(kPostgresCdc, &diags);
  EXPECT_EQ(pg.sources[0].config.Find("password")->scalar, "pg");

  const PipelineConfig poll = ReadExample(kHttpPolling, &diags);
  EXPECT_EQ(poll.sources[0].config.Find("headers")->Find("Authorization")->scalar, "Bearer t");
  EXPECT_EQ(poll.sources[0].config.Find("response_path")->scalar, "$.data[*]");

  const PipelineConfig s3 = ReadExample(kS3Sink, &diags);
  EXPECT_EQ(s3.sinks[0].topics, (std::vector<std::string>{"events", "logs"}));
  EXPECT_EQ(s3.sinks[0].consumer_group, "s3-sink");

  const PipelineConfig chain = ReadExample(kChainTransforms, &diags);
  ASSERT_EQ(chain.sources[0].transforms.size(), 4u);
  EXPECT_EQ(chain.sources[0].transforms[3].Find("type")->scalar, "InsertField");
  EXPECT_TRUE(diags.empty()) << diags.Format();
}

// These two examples illustrate one feature each and leave out a key every entry needs (a sink's
// `topics`, a source's `topic`). Every key they do show parses; the only complaint is the
// omitted one, and with it added they are clean.
TEST(ConfigSpecExamples, RateLimitingNeedsOnlyTopics) {
  Diagnostics diags;
  const PipelineConfig c = ReadExample(kRateLimiting, &diags);
  ASSERT_EQ(diags.size(), 1u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sinks.api");
  EXPECT_EQ(diags.items()[0].message, "missing required key 'topics'");
  EXPECT_EQ(c.sinks[0].rate_limit.burst_capacity, 100);
  EXPECT_EQ(c.sinks[0].rate_limit.events_per_second, 1000);

  Diagnostics completed;
  ReadExample(std::string(kRateLimiting) + "    topics: [events]\n", &completed);
  EXPECT_TRUE(completed.empty()) << completed.Format();
}

TEST(ConfigSpecExamples, SecretsManagementNeedsOnlyTopic) {
  Diagnostics diags;
  const PipelineConfig c = ReadExample(kSecretsManagement, &diags);
  ASSERT_EQ(diags.size(), 1u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.db");
  EXPECT_EQ(diags.items()[0].message, "missing required key 'topic'");
  EXPECT_EQ(c.secrets.provider, "vault");
  EXPECT_EQ(c.secrets.config.Find("role_id")->scalar, "r");
  EXPECT_EQ(c.sources[0].config.Find("password")->scalar, "vault:secret/data/postgres#password");

  Diagnostics completed;
  ReadExample(std::string(kSecretsManagement) + "    topic: cdc.db\n", &completed);
  EXPECT_TRUE(completed.empty()) << completed.Format();
}

}  // namespace
}  // namespace rivven::config
