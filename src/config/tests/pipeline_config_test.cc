#include "config/pipeline_config.h"

#include <gtest/gtest.h>

#include "config/schema.h"
#include "config/tests/test_util.h"

namespace rivven::config {
namespace {

using testing::MapEnv;
using testing::ReadText;

// The diagnostic for `path`, or nullptr: tests name what they expect, not its position in the list.
const Diagnostic* Find(const Diagnostics& diags, const std::string& path) {
  for (const Diagnostic& d : diags.items()) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

TEST(ConfigPipeline, EmptyFileGivesDefaults) {
  Diagnostics diags;
  const PipelineConfig c = ReadText("", &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c.version, "1.0");
  EXPECT_TRUE(c.broker.embedded());
  EXPECT_EQ(c.broker.data_dir, "./rivven-data");
  EXPECT_EQ(c.broker.metadata_refresh_ms, 300000);
  EXPECT_EQ(c.broker.connection_timeout_ms, 10000);
  EXPECT_EQ(c.broker.request_timeout_ms, 30000);
  EXPECT_FALSE(c.broker.tls.enabled);
  EXPECT_EQ(c.broker.flush_interval_ms, 0);
  EXPECT_EQ(c.broker.segment_bytes, 128LL << 20);
  EXPECT_EQ(c.broker.page_cache_bytes, 32LL << 20);
  EXPECT_EQ(c.broker.retention_ms, 604800000);
  EXPECT_EQ(c.broker.retention_bytes, -1);
  EXPECT_TRUE(c.settings.topic.auto_create);
  EXPECT_EQ(c.settings.topic.default_partitions, 1);
  EXPECT_EQ(c.settings.topic.default_replication_factor, 1);
  EXPECT_TRUE(c.settings.topic.require_topic_exists);
  EXPECT_FALSE(c.settings.topic.validate_existing);
  EXPECT_EQ(c.settings.http_port, 0);
  EXPECT_EQ(c.settings.shutdown_timeout_ms, 30000);
  EXPECT_EQ(c.settings.log_level, "info");
  EXPECT_EQ(c.settings.limits.max_record_bytes, 16LL << 20);
  EXPECT_EQ(c.settings.limits.max_batch_bytes, 64LL << 20);
  EXPECT_TRUE(c.sources.empty());
  EXPECT_TRUE(c.sinks.empty());
  EXPECT_TRUE(c.secrets.provider.empty());
}

TEST(ConfigPipeline, EmptySourcesAndSinksAreValid) {
  Diagnostics diags;
  const PipelineConfig c = ReadText("version: \"1.0\"\nsources:\nsinks: {}\n", &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  EXPECT_TRUE(c.sources.empty());
  EXPECT_TRUE(c.sinks.empty());
}

TEST(ConfigPipeline, FullFile) {
  Diagnostics diags;
  const PipelineConfig c = ReadText(R"(version: 1.0
broker:
  bootstrap_servers: "k1:9092, k2:9092"
  tls: {enabled: on, ca_path: /ca.pem}
  data_dir: /var/lib/rivven
  flush_interval_ms: 5
  segment_bytes: 1048576
  page_cache_bytes: -1
  retention_ms: -1
  retention_bytes: 1073741824
settings:
  topic: {auto_create: false, default_partitions: 3, validate_existing: yes}
  http: {port: 9464}
  shutdown_timeout_ms: 5000
  log_level: debug
sources:
  demo:
    connector: datagen
    topic: demo-events
    enabled: false
    topic_config: {partitions: 12}
    transforms:
      - type: MaskField
        config: {fields: [credit_card]}
    rate_limit: {events_per_second: 100}
    config:
      pattern: orders
  other:
    connector: datagen
    topic: demo-events
sinks:
  out:
    connector: stdout
    topics: demo-events
  s3:
    connector: s3
    topics: [a, b]
    consumer_group: s3-sink
secrets:
  provider: env
)",
                                    &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c.version, "1.0");
  EXPECT_EQ(c.broker.bootstrap_servers, (std::vector<std::string>{"k1:9092", "k2:9092"}));
  EXPECT_FALSE(c.broker.embedded());
  EXPECT_TRUE(c.broker.tls.enabled);
  EXPECT_EQ(c.broker.tls.ca_path, "/ca.pem");
  EXPECT_EQ(c.broker.data_dir, "/var/lib/rivven");
  EXPECT_EQ(c.broker.flush_interval_ms, 5);
  EXPECT_EQ(c.broker.segment_bytes, 1048576);
  EXPECT_EQ(c.broker.page_cache_bytes, -1);
  EXPECT_EQ(c.broker.retention_ms, -1);
  EXPECT_EQ(c.broker.retention_bytes, 1073741824);
  EXPECT_FALSE(c.settings.topic.auto_create);
  EXPECT_EQ(c.settings.topic.default_partitions, 3);
  EXPECT_TRUE(c.settings.topic.validate_existing);
  EXPECT_EQ(c.settings.http_port, 9464);
  EXPECT_EQ(c.settings.shutdown_timeout_ms, 5000);
  EXPECT_EQ(c.settings.log_level, "debug");

  ASSERT_EQ(c.sources.size(), 2u);
  const SourceConfig& demo = c.sources[0];
  EXPECT_EQ(demo.name, "demo");
  EXPECT_EQ(demo.connector, "datagen");
  EXPECT_EQ(demo.topic, "demo-events");
  EXPECT_FALSE(demo.enabled);
  EXPECT_EQ(demo.topic_config.partitions, 12);
  EXPECT_EQ(demo.topic_config.auto_create, std::nullopt);
  ASSERT_EQ(demo.transforms.size(), 1u);
  EXPECT_EQ(demo.transforms[0].Find("type")->scalar, "MaskField");
  EXPECT_EQ(demo.rate_limit.events_per_second, 100);
  EXPECT_EQ(demo.rate_limit.burst_capacity, 10);  // default: a tenth of a second's worth
  EXPECT_EQ(demo.errors.on_error, OnError::kFail);
  EXPECT_EQ(demo.errors.dead_letter_topic, "demo.dlq");
  EXPECT_EQ(demo.config.Find("pattern")->scalar, "orders");
  EXPECT_EQ(demo.mark.line, 17);
  EXPECT_EQ(demo.mark.column, 3);
  const SourceConfig& other = c.sources[1];
  EXPECT_EQ(other.topic, "demo-events");  // two sources may share a topic
  EXPECT_TRUE(other.enabled);
  EXPECT_TRUE(other.config.IsNull());
  EXPECT_FALSE(other.rate_limit.enabled());
  EXPECT_TRUE(other.transforms.empty());
  EXPECT_EQ(other.topic_config.partitions, std::nullopt);

  ASSERT_EQ(c.sinks.size(), 2u);
  EXPECT_EQ(c.sinks[0].name, "out");
  EXPECT_EQ(c.sinks[0].topics, std::vector<std::string>{"demo-events"});
  EXPECT_EQ(c.sinks[0].consumer_group, "out");  // default: the sink's name
  EXPECT_EQ(c.sinks[1].topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.sinks[1].consumer_group, "s3-sink");
  EXPECT_EQ(c.sinks[1].mark.line, 35);
  EXPECT_EQ(c.secrets.provider, "env");
}

TEST(ConfigPipeline, UnknownKeysEverywhereGetDidYouMean) {
  Diagnostics diags;
  ReadText(R"(versoin: "1.0"
broker:
  bootstrap_server: [k:9092]
  tls: {enabeld: true}
settings:
  topic:
    auto_creat: false
  htpp: {port: 1}
sources:
  demo:
    conector: datagen
    topic: t
    topic_config: {partition: 2}
sinks:
  out:
    connector: stdout
    topic: [t]
secrets: {provider: env, confg: {}}
)",
           &diags);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"versoin", "unknown key 'versoin' (did you mean 'version'?)"},
      {"broker.bootstrap_server",
       "unknown key 'bootstrap_server' (did you mean 'bootstrap_servers'?)"},
      {"broker.tls.enabeld", "unknown key 'enabeld' (did you mean 'enabled'?)"},
      {"settings.topic.auto_creat", "unknown key 'auto_creat' (did you mean 'auto_create'?)"},
      {"settings.htpp", "unknown key 'htpp' (did you mean 'http'?)"},
      {"sources.demo.conector", "unknown key 'conector' (did you mean 'connector'?)"},
      {"sources.demo.topic_config.partition",
       "unknown key 'partition' (did you mean 'partitions'?)"},
      {"sinks.out.topic", "unknown key 'topic' (did you mean 'topics'?)"},
      {"secrets.confg", "unknown key 'confg' (did you mean 'config'?)"},
  };
  for (const auto& [path, message] : expected) {
    const Diagnostic* d = Find(diags, path);
    ASSERT_NE(d, nullptr) << path << "\n" << diags.Format();
    EXPECT_EQ(d->message, message);
  }
  // Plus the two required keys that the typos left missing.
  ASSERT_NE(Find(diags, "sources.demo"), nullptr);
  EXPECT_EQ(Find(diags, "sources.demo")->message, "missing required key 'connector'");
  EXPECT_EQ(Find(diags, "sinks.out")->message, "missing required key 'topics'");
  EXPECT_EQ(diags.size(), expected.size() + 2) << diags.Format();
}

TEST(ConfigPipeline, AllErrorsReportedInOneRun) {
  Diagnostics diags("pipeline.yaml");
  ReadText(R"(version: "1.0"
settings:
  topic:
    default_partitions: 0
  log_level: verbose
sources:
  demo:
    connector: datagen
    topic: t
    enabled: perhaps
sinks:
  out:
    topics: [t]
)",
           &diags);
  ASSERT_EQ(diags.size(), 4u) << diags.Format();
  EXPECT_EQ(diags.Format(),
            "pipeline.yaml:4:25: error: settings.topic.default_partitions: must be between 1 "
            "and 10000, got 0\n"
            "pipeline.yaml:5:14: error: settings.log_level: invalid value 'verbose': must be one "
            "of: debug, info, warn, error\n"
            "pipeline.yaml:10:14: error: sources.demo.enabled: expected a boolean (true/false), "
            "got 'perhaps'\n"
            "pipeline.yaml:12:3: error: sinks.out: missing required key 'connector'\n");
}

TEST(ConfigPipeline, LimitsAreBoundedAndTheBatchHoldsARecord) {
  Diagnostics diags;
  PipelineConfig c =
      ReadText("settings:\n  limits: {max_record_bytes: 4096, max_batch_bytes: 8192}\n", &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c.settings.limits.max_record_bytes, 4096);
  EXPECT_EQ(c.settings.limits.max_batch_bytes, 8192);

  Diagnostics small_batch;
  ReadText("settings:\n  limits: {max_record_bytes: 4096, max_batch_bytes: 2048}\n", &small_batch);
  const Diagnostic* d = Find(small_batch, "settings.limits.max_batch_bytes");
  ASSERT_NE(d, nullptr) << small_batch.Format();
  EXPECT_EQ(d->message, "must be at least settings.limits.max_record_bytes (4096)");
  EXPECT_EQ(d->mark.line, 2);

  Diagnostics too_small;
  ReadText("settings:\n  limits: {max_record_bytes: 10}\n", &too_small);
  ASSERT_NE(Find(too_small, "settings.limits.max_record_bytes"), nullptr) << too_small.Format();
  Diagnostics too_large;
  ReadText("settings:\n  limits: {max_record_bytes: 1073741824}\n", &too_large);
  ASSERT_NE(Find(too_large, "settings.limits.max_record_bytes"), nullptr) << too_large.Format();
}

TEST(ConfigPipeline, VersionMustBeSupported) {
  Diagnostics diags;
  ReadText("version: \"2.0\"\n", &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "version");
  EXPECT_EQ(diags.items()[0].message, "unsupported version '2.0' (supported: \"1.0\")");
  Diagnostics plain;
  ReadText("version: 1.0\n", &plain);
  EXPECT_TRUE(plain.empty());
}

TEST(ConfigPipeline, BoundsAndTypes) {
  Diagnostics diags;
  ReadText(R"(broker:
  segment_bytes: 1000
  retention_ms: -2
  flush_interval_ms: -1
  metadata_refresh_ms: soon
settings:
  http: {port: 70000}
  topic: {default_replication_factor: 0}
sources:
  s:
    connector: datagen
    topic: t
    topic_config: {partitions: 0, auto_create: sure}
)",
           &diags);
  EXPECT_EQ(Find(diags, "broker.segment_bytes")->message,
            "must be between 1048576 and 2147483647, got 1000");
  EXPECT_EQ(Find(diags, "broker.retention_ms")->message, "must be at least -1, got -2");
  EXPECT_EQ(Find(diags, "broker.flush_interval_ms")->message, "must be at least 0, got -1");
  EXPECT_EQ(Find(diags, "broker.metadata_refresh_ms")->message,
            "expected an integer, got 'soon'");
  EXPECT_EQ(Find(diags, "settings.http.port")->message,
            "must be between 0 and 65535, got 70000");
  EXPECT_EQ(Find(diags, "settings.topic.default_replication_factor")->message,
            "must be at least 1, got 0");
  EXPECT_EQ(Find(diags, "sources.s.topic_config.partitions")->message,
            "must be between 1 and 10000, got 0");
  EXPECT_NE(Find(diags, "sources.s.topic_config.auto_create"), nullptr);
  EXPECT_EQ(diags.size(), 8u) << diags.Format();
}

TEST(ConfigPipeline, DotNamesCannotReachOutOfTheConnectorsDirectory) {
  // Each source and sink keeps state in <data_dir>/connectors/<name>.
  Diagnostics diags;
  ReadText("sources:\n  \"..\": {connector: datagen, topic: t}\n"
           "sinks:\n  \".\": {connector: stdout, topics: [t]}\n  ok.name: {connector: stdout, topics: [t]}\n",
           &diags);
  ASSERT_NE(Find(diags, "sources..."), nullptr) << diags.Format();
  EXPECT_EQ(Find(diags, "sources...")->message,
            "invalid name '..': use letters, digits, '.', '_' or '-' (not '.' or '..')");
  ASSERT_NE(Find(diags, "sinks.."), nullptr) << diags.Format();
  EXPECT_EQ(Find(diags, "sinks.ok.name"), nullptr);
}

TEST(ConfigPipeline, NamesTopicsAndShapes) {
  Diagnostics diags;
  ReadText(R"(sources:
  "bad name":
    connector: datagen
    topic: "has/slash"
  empty-connector:
    connector: ""
    topic: t
    transforms: {type: Filter}
  not-a-map: datagen
sinks:
  out:
    connector: stdout
    topics: []
    consumer_group: ""
secrets:
  provider: keychain
)",
           &diags);
  EXPECT_EQ(Find(diags, "sources.bad name")->message,
            "invalid name 'bad name': use letters, digits, '.', '_' or '-' (not '.' or '..')");
  EXPECT_NE(Find(diags, "sources.bad name.topic")->message.find("invalid topic name 'has/slash'"),
            std::string::npos);
  EXPECT_EQ(Find(diags, "sources.empty-connector.connector")->message, "must not be empty");
  EXPECT_NE(Find(diags, "sources.empty-connector.transforms")->message.find(
                "expected a sequence of transforms"),
            std::string::npos);
  EXPECT_EQ(Find(diags, "sources.not-a-map")->message, "expected a map, got 'datagen'");
  EXPECT_EQ(Find(diags, "sinks.out.topics")->message, "must list at least one topic");
  EXPECT_EQ(Find(diags, "sinks.out.consumer_group")->message, "must not be empty");
  EXPECT_EQ(Find(diags, "secrets.provider")->message,
            "invalid value 'keychain': must be one of: vault, file, env");
}

TEST(ConfigPipeline, WrongShapesAtTheTop) {
  Diagnostics list;
  ReadText("- a\n- b\n", &list);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_NE(list.items()[0].message.find("expected a map of top-level keys"), std::string::npos);
  Diagnostics sources;
  ReadText("sources: [a]\nsinks: x\nsecrets: {}\n", &sources);
  EXPECT_EQ(Find(sources, "sources")->message,
            "expected a map of source name -> settings, got a sequence");
  EXPECT_EQ(Find(sources, "sinks")->message, "expected a map of sink name -> settings, got a scalar");
  EXPECT_EQ(Find(sources, "secrets")->message, "missing required key 'provider'");
}

TEST(ConfigPipeline, ConnectorConfigBindsWithDidYouMean) {
  // The runtime binds each `config:` Node against its connector's Schema; the path and marks
  // recorded here make those errors point into the same file.
  Diagnostics diags;
  const PipelineConfig c = ReadText(R"(sources:
  demo:
    connector: datagen
    topic: t
    config:
      pattern: orders
      evnets_per_second: 10
)",
                                    &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  Schema datagen;
  datagen.Add(Key("pattern", ValueType::kString, "Pattern.").Required())
      .Add(Key("events_per_second", ValueType::kInt, "Rate.").Default("1"));
  const SourceConfig& s = c.sources[0];
  Bind(datagen, &s.config, "sources." + s.name + ".config", s.config.mark, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "sources.demo.config.evnets_per_second");
  EXPECT_EQ(diags.items()[0].mark.line, 7);
  EXPECT_EQ(diags.items()[0].message,
            "unknown key 'evnets_per_second' (did you mean 'events_per_second'?)");
}

TEST(ConfigPipeline, VariablesResolvedBeforeBinding) {
  Diagnostics diags;
  const PipelineConfig c = ReadText(R"(settings:
  http: {port: "${HTTP_PORT:-9090}"}
sources:
  db:
    connector: postgres-cdc
    topic: ${TOPIC}
    config: {password: "${PG_PASSWORD}"}
)",
                                    &diags, MapEnv({{"TOPIC", "cdc.orders"}}));
  ASSERT_EQ(diags.size(), 1u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.db.config.password");
  EXPECT_NE(diags.items()[0].message.find("'PG_PASSWORD' is not set"), std::string::npos);
  EXPECT_EQ(c.settings.http_port, 9090);
  EXPECT_EQ(c.sources[0].topic, "cdc.orders");
}

}  // namespace
}  // namespace rivven::config

namespace rivven::config {
namespace {

TEST(ConfigPipelinePolicies, OnErrorDeadLetterTopicAndRateLimit) {
  Diagnostics diags("p.yaml");
  auto root = ParseYaml(R"(sources:
  a:
    connector: datagen
    topic: t
    on_error: dlq
    dead_letter_topic: bad-a
    rate_limit: {events_per_second: 50, burst_capacity: 7}
sinks:
  b:
    connector: stdout
    topics: [t]
    on_error: skip
  c:
    connector: stdout
    topics: [t]
    on_error: ignore
    dead_letter_topic: x
)", ProcessEnv(), &diags);
  ASSERT_TRUE(root.has_value());
  PipelineConfig c = ReadPipelineConfig(*root, &diags);
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].errors.on_error, OnError::kDlq);
  EXPECT_EQ(c.sources[0].errors.dead_letter_topic, "bad-a");
  EXPECT_EQ(c.sources[0].rate_limit.events_per_second, 50);
  EXPECT_EQ(c.sources[0].rate_limit.burst_capacity, 7);
  EXPECT_EQ(c.sinks[0].errors.on_error, OnError::kSkip);
  const std::string text = diags.Format();
  EXPECT_NE(text.find("sinks.c.on_error"), std::string::npos) << text;
  EXPECT_NE(text.find("sinks.c.dead_letter_topic"), std::string::npos) << text;
  EXPECT_EQ(diags.size(), 2u) << text;
}

}  // namespace
}  // namespace rivven::config
