// The rivven-connect binary with broker.bootstrap_servers pointing at a mock cluster hosted by
// this test process; kcat (Debian) reads back what went through it.
#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "broker/kafka/kafka_broker.h"
#include "support/kafka_mock_cluster.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

class KafkaPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = KafkaMockCluster::Start(3, &error);
    ASSERT_NE(cluster_, nullptr) << error;
    ASSERT_TRUE(cluster_->CreateTopic("_rivven-connect-offsets", 1, 1));
  }

  std::string BrokerYaml() const {
    return "broker:\n  bootstrap_servers: \"" + cluster_->bootstraps() +
           "\"\n  request_timeout_ms: 10000\n";
  }

  std::unique_ptr<Broker> OpenBroker() const {
    KafkaBrokerOptions o;
    o.client.bootstrap_servers = cluster_->servers();
    o.request_timeout = 10s;
    auto b = OpenKafkaBroker(o);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(*b) : nullptr;
  }

  std::unique_ptr<KafkaMockCluster> cluster_;
};

std::set<std::string> LineSet(const std::string& text) {
  auto v = SplitLines(text);
  return {v.begin(), v.end()};
}

TEST_F(KafkaPipelineTest, DatagenThroughKafkaToAFileSinkCommitsAndCheckpoints) {
  ASSERT_TRUE(cluster_->CreateTopic("orders", 3, 1));
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "version: \"1.0\"\n" + BrokerYaml() +
                "sources:\n"
                "  gen:\n"
                "    connector: datagen\n"
                "    topic: orders\n"
                "    config: {pattern: orders, seed: 7, events_per_second: 0, max_events: 2000}\n"
                "sinks:\n"
                "  out:\n"
                "    connector: file\n"
                "    topics: [orders]\n"
                "    consumer_group: files\n"
                "    config: {path: " + (dir / "out") + "}\n");
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"},
                      {.timeout = 120s});
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  const auto lines = SplitLines(ReadFile(dir / "out/orders.jsonl"));
  ASSERT_EQ(lines.size(), 2000u);
  EXPECT_EQ(LineSet(ReadFile(dir / "out/orders.jsonl")).size(), 2000u);  // no duplicates

  auto broker = OpenBroker();
  ASSERT_NE(broker, nullptr);
  auto committed = broker->CommittedOffsets("files", "orders");
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  EXPECT_EQ(total, 2000);
  auto position = broker->Checkpoints().Load("gen");
  ASSERT_TRUE(position.ok()) << position.status().ToString();
  EXPECT_TRUE(position->has_value());

  // kcat, an independent client, reads the same values from the cluster.
  auto kcat = RunProcess({"/usr/bin/kcat", "-b", cluster_->bootstraps(), "-C", "-t", "orders", "-o",
                          "beginning", "-e", "-q", "-f", "%s\n"},
                         {.timeout = 60s});
  ASSERT_EQ(kcat.exit_code, 0) << DescribeResult(kcat);
  EXPECT_EQ(LineSet(kcat.out), LineSet(ReadFile(dir / "out/orders.jsonl")));
}

TEST_F(KafkaPipelineTest, ARestartResumesFromTheCheckpointInKafka) {
  ASSERT_TRUE(cluster_->CreateTopic("orders", 2, 1));
  TempDir dir;
  auto config = [&](int64_t max_events) {
    return "version: \"1.0\"\n" + BrokerYaml() +
           "sources:\n"
           "  gen:\n"
           "    connector: datagen\n"
           "    topic: orders\n"
           "    config: {pattern: orders, seed: 7, events_per_second: 0, max_events: " +
           std::to_string(max_events) + "}\n";
  };
  WriteFile(dir / "a.yaml", config(300));
  auto first = RunProcess({BinaryPath(), "run", "-c", dir / "a.yaml", "--data-dir", dir / "d1"},
                          {.timeout = 120s});
  ASSERT_EQ(first.exit_code, 0) << DescribeResult(first);
  // Another machine (another data dir) with a larger bound continues after record 300.
  WriteFile(dir / "b.yaml", config(500));
  auto second = RunProcess({BinaryPath(), "run", "-c", dir / "b.yaml", "--data-dir", dir / "d2"},
                           {.timeout = 120s});
  ASSERT_EQ(second.exit_code, 0) << DescribeResult(second);
  auto broker = OpenBroker();
  auto info = broker->DescribeTopic("orders");
  ASSERT_TRUE(info.ok());
  int64_t stored = 0;
  for (const auto& p : info->partitions) stored += p.end_offset.value();
  EXPECT_EQ(stored, 500);
}

TEST_F(KafkaPipelineTest, ValidateAcceptsTheKafkaKeysAndRunReportsAnUnreachableCluster) {
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "version: \"1.0\"\n"
            "broker:\n"
            "  bootstrap_servers: [127.0.0.1:1]\n"
            "  connection_timeout_ms: 1000\n"
            "  request_timeout_ms: 2000\n"
            "  sasl: {mechanism: SCRAM-SHA-512, username: u, password: p}\n"
            "  librdkafka: {client.id: test-client}\n"
            "sources:\n"
            "  gen: {connector: datagen, topic: orders, config: {pattern: orders, max_events: 1}}\n");
  auto v = RunProcess({BinaryPath(), "validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(v.exit_code, 0) << DescribeResult(v);
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"},
                      {.timeout = 60s});
  EXPECT_EQ(r.exit_code, 1) << DescribeResult(r);
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("password: p"), std::string::npos);
}

TEST_F(KafkaPipelineTest, ExistingTopicsAreValidatedAndAMissingOneTheClusterCannotCreateIsNamed) {
  ASSERT_TRUE(cluster_->CreateTopic("orders", 2, 1));
  TempDir dir;
  auto config = [&](const std::string& topic) {
    return "version: \"1.0\"\n" + BrokerYaml() +
           "settings:\n"
           "  topic: {default_partitions: 3, default_replication_factor: 5, validate_existing: true}\n"
           "sources:\n"
           "  gen: {connector: datagen, topic: " + topic +
           ", config: {pattern: orders, events_per_second: 0, max_events: 10}}\n";
  };
  WriteFile(dir / "a.yaml", config("orders"));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "a.yaml", "--data-dir", dir / "d"},
                      {.timeout = 60s});
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  EXPECT_NE(r.err.find("topic 'orders' exists with 2 partition(s) but sources.gen asks for 3"),
            std::string::npos) << r.err;
  // (The mock places replicas on its own; the warning names what it reports.)
  EXPECT_NE(r.err.find("topic 'orders' exists with replication factor "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("but settings.topic.default_replication_factor is 5"), std::string::npos)
      << r.err;

  // The mock serves no CreateTopics: a missing topic is an error naming it.
  WriteFile(dir / "b.yaml", config("absent"));
  auto missing = RunProcess({BinaryPath(), "run", "-c", dir / "b.yaml", "--data-dir", dir / "d2"},
                            {.timeout = 60s});
  EXPECT_EQ(missing.exit_code, 1) << DescribeResult(missing);
  EXPECT_NE(missing.err.find("creating topic 'absent'"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace rivven::testing
