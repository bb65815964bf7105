// The kafka source through the rivven-connect binary: a topic of the mock cluster copied through
// the embedded broker into another topic by the kafka sink, keys, headers and timestamps kept.
#include <signal.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "clients/kafka/kafka_consumer.h"
#include "clients/kafka/kafka_producer.h"
#include "support/kafka_mock_cluster.h"
#include "support/process.h"

namespace rivven::kafka {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMockCluster;
namespace t = rivven::testing;

class KafkaSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = KafkaMockCluster::Start(3, &error);
    ASSERT_NE(cluster_, nullptr) << error;
    ASSERT_TRUE(cluster_->CreateTopic("upstream", 3, 1));
    ASSERT_TRUE(cluster_->CreateTopic("copy", 3, 1));
  }

  void Fill(int from, int to) {
    auto p = KafkaProducer::Create({.bootstrap_servers = cluster_->servers()}, {});
    ASSERT_TRUE(p.ok());
    for (int i = from; i < to; ++i) {
      Record r;
      r.key = "k" + std::to_string(i);
      r.value = "{\"n\":" + std::to_string(i) + "}";
      r.headers = {{"origin", "test"}, {"n", std::to_string(i)}};
      r.timestamp_ms = 1700000000000 + i;
      ASSERT_TRUE((*p)->Produce("upstream", r).ok());
    }
    ASSERT_TRUE((*p)->Flush(20s).ok());
  }

  std::map<std::string, Record> ReadCopy(size_t expect, std::chrono::seconds limit) {
    ConsumerOptions o;
    o.group_id = "copy-reader-" + std::to_string(readers_++);
    auto c = KafkaConsumer::Create({.bootstrap_servers = cluster_->servers()}, o);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE((*c)->Subscribe({"copy"}).ok());
    std::map<std::string, Record> out;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (out.size() < expect && std::chrono::steady_clock::now() < until) {
      auto batch = (*c)->Poll(1000, 200ms);
      EXPECT_TRUE(batch.ok());
      if (!batch.ok()) break;
      for (auto& r : *batch) {
        out[*r.record.key] = r.record;
        ++read_;
      }
    }
    return out;
  }

  std::string Config(const std::string& data) const {
    return "version: \"1.0\"\n"
           "broker: {data_dir: " + data + "}\n"
           "sources:\n"
           "  up:\n"
           "    connector: kafka\n"
           "    topic: mirror\n"
           "    config:\n"
           "      bootstrap_servers: \"" + cluster_->bootstraps() + "\"\n"
           "      topics: [\"^up.*\"]\n"
           "sinks:\n"
           "  down:\n"
           "    connector: kafka\n"
           "    topics: [mirror]\n"
           "    consumer_group: down\n"
           "    config:\n"
           "      bootstrap_servers: \"" + cluster_->bootstraps() + "\"\n"
           "      target_topic: copy\n";
  }

  std::unique_ptr<KafkaMockCluster> cluster_;
  int readers_ = 0;
  size_t read_ = 0;  ///< records ReadCopy got, duplicates included
};

TEST_F(KafkaSourceTest, ATopicIsCopiedWithKeysHeadersAndTimestampsAndResumesAfterARestart) {
  Fill(0, 300);
  t::TempDir dir;
  t::WriteFile(dir / "p.yaml", Config(dir / "d"));
  {
    t::BackgroundProcess run({t::BinaryPath(), "run", "-c", dir / "p.yaml"}, {}, dir / "out1",
                             dir / "err1");
    auto copy = ReadCopy(300, 60s);
    ASSERT_EQ(copy.size(), 300u) << t::ReadFile(dir / "err1");
    const Record& r = copy.at("k42");
    EXPECT_EQ(r.value, "{\"n\":42}");
    EXPECT_EQ(r.timestamp_ms, 1700000000042);
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].key, "origin");
    EXPECT_EQ(r.headers[1].value, "42");
    run.Signal(SIGTERM);
    auto ended = run.Wait(60s);
    EXPECT_EQ(ended.exit_code, 0) << t::ReadFile(dir / "err1");
  }
  // The group's offsets were committed: a restart reads only what came since.
  Fill(300, 400);
  t::BackgroundProcess again({t::BinaryPath(), "run", "-c", dir / "p.yaml"}, {}, dir / "out2",
                             dir / "err2");
  read_ = 0;
  auto copy = ReadCopy(400, 60s);
  EXPECT_EQ(copy.size(), 400u) << t::ReadFile(dir / "err2");
  EXPECT_EQ(read_, 400u);  // a graceful stop committed everything: nothing copied twice
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(60s).exit_code, 0) << t::ReadFile(dir / "err2");

  ConsumerOptions o;
  o.group_id = "rivven-connect-up";
  auto c = KafkaConsumer::Create({.bootstrap_servers = cluster_->servers()}, o);
  auto committed = (*c)->Committed({{"upstream", 0, 0}, {"upstream", 1, 0}, {"upstream", 2, 0}}, 10s);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  int64_t total = 0;
  for (const auto& p : *committed) total += std::max<int64_t>(p.offset, 0);
  EXPECT_EQ(total, 400);
}

TEST_F(KafkaSourceTest, CheckAndDiscoverTalkToTheCluster) {
  t::TempDir dir;
  const std::string bs = cluster_->bootstraps();
  t::WriteFile(dir / "ok.yaml",
               "version: \"1.0\"\n"
               "sources:\n"
               "  up: {connector: kafka, topic: mirror, config: {bootstrap_servers: \"" + bs +
                   "\", topics: [upstream]}}\n"
               "sinks:\n"
               "  down: {connector: kafka, topics: [mirror], config: {bootstrap_servers: \"" + bs +
                   "\", target_topic: copy}}\n");
  auto check = t::RunProcess({t::BinaryPath(), "check", "-c", dir / "ok.yaml"}, {.timeout = 60s});
  EXPECT_EQ(check.exit_code, 0) << t::DescribeResult(check);
  auto discover = t::RunProcess({t::BinaryPath(), "discover", "-c", dir / "ok.yaml", "--source", "up"},
                                {.timeout = 60s});
  EXPECT_EQ(discover.exit_code, 0) << t::DescribeResult(discover);
  EXPECT_NE(discover.out.find("upstream"), std::string::npos) << discover.out;
  EXPECT_NE(discover.out.find("copy"), std::string::npos) << discover.out;

  // A target topic the cluster lacks, and a source topic it lacks: FAILED, naming them.
  t::WriteFile(dir / "bad.yaml",
               "version: \"1.0\"\n"
               "sources:\n"
               "  up: {connector: kafka, topic: mirror, config: {bootstrap_servers: \"" + bs +
                   "\", topics: [nowhere]}}\n"
               "sinks:\n"
               "  down: {connector: kafka, topics: [mirror], config: {bootstrap_servers: \"" + bs +
                   "\", target_topic: missing-target}}\n");
  auto bad = t::RunProcess({t::BinaryPath(), "check", "-c", dir / "bad.yaml"}, {.timeout = 60s});
  EXPECT_EQ(bad.exit_code, 1) << t::DescribeResult(bad);
  const std::string all = bad.out + bad.err;
  EXPECT_NE(all.find("nowhere"), std::string::npos) << all;
  EXPECT_NE(all.find("missing-target"), std::string::npos) << all;
}

}  // namespace
}  // namespace rivven::kafka
