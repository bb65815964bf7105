// The Kafka broker backend (broker/kafka) through the Broker interface the runtime uses,
// against librdkafka's mock cluster.
#include "broker/kafka/kafka_broker.h"

#include <chrono>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "support/kafka_mock_cluster.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMockCluster;

class KafkaBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = KafkaMockCluster::Start(3, &error);
    ASSERT_NE(cluster_, nullptr) << error;
    // The mock serves no CreateTopics: the checkpoint topic is made the mock's way.
    ASSERT_TRUE(cluster_->CreateTopic("_rivven-connect-offsets", 1, 1));
    options_.client.bootstrap_servers = cluster_->servers();
    options_.request_timeout = 10s;
  }

  std::unique_ptr<Broker> Open() {
    auto b = OpenKafkaBroker(options_);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(*b) : nullptr;
  }

  static std::vector<ConsumedRecord> ReadN(Consumer& c, size_t n, std::chrono::seconds limit = 30s) {
    std::vector<ConsumedRecord> out;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (out.size() < n && std::chrono::steady_clock::now() < until) {
      auto batch = c.Poll(n - out.size(), 200ms);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok()) break;
      for (auto& r : *batch) out.push_back(std::move(r));
    }
    return out;
  }

  std::unique_ptr<KafkaMockCluster> cluster_;
  KafkaBrokerOptions options_;
};

TEST_F(KafkaBrokerTest, SentRecordsAreConsumedAndCommittedOffsetsReadBack) {
  ASSERT_TRUE(cluster_->CreateTopic("events", 3, 1));
  ASSERT_TRUE(cluster_->CreateTopic("other", 1, 1));
  auto broker = Open();
  ASSERT_NE(broker, nullptr);
  auto producer = broker->NewProducer();
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<Record> records;
  for (int i = 0; i < 30; ++i) {
    Record r;
    r.key = "k" + std::to_string(i);
    r.value = "v" + std::to_string(i);
    if (i % 10 == 0) r.topic = "other";  // routed per record
    records.push_back(std::move(r));
  }
  ASSERT_TRUE((*producer)->Send("events", records).ok());

  auto consumer = broker->NewConsumer("sink-group", {"events", "other"});
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  auto got = ReadN(**consumer, 30);
  ASSERT_EQ(got.size(), 30u);
  std::map<std::string, std::string> topic_of;
  std::vector<TopicPartitionOffset> commit;
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const auto& g : got) {
    topic_of[*g.record.key] = g.topic;
    auto& n = next[{g.topic, g.partition}];
    n = std::max(n, g.offset.value() + 1);
  }
  EXPECT_EQ(topic_of["k0"], "other");
  EXPECT_EQ(topic_of["k1"], "events");
  for (const auto& [tp, n] : next) commit.push_back({tp.first, tp.second, Offset(n)});
  ASSERT_TRUE((*consumer)->Commit(commit).ok());

  auto committed = broker->CommittedOffsets("sink-group", "events");
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  EXPECT_EQ(total, 27);  // every "events" record is committed
  auto none = broker->CommittedOffsets("never-ran", "events");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(KafkaBrokerTest, DescribeListsPartitionsWithOffsetsAndHidesInternalTopics) {
  ASSERT_TRUE(cluster_->CreateTopic("described", 2, 1));
  auto broker = Open();
  auto producer = broker->NewProducer();
  std::vector<Record> records(5);
  for (auto& r : records) r.value = "x";
  ASSERT_TRUE((*producer)->Send("described", records).ok());
  auto info = broker->DescribeTopic("described");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->partitions.size(), 2u);
  EXPECT_EQ(info->partitions[0].end_offset.value() + info->partitions[1].end_offset.value(), 5);
  EXPECT_EQ(broker->DescribeTopic("absent").status().code(), StatusCode::kNotFound);
  auto topics = broker->ListTopics();
  ASSERT_TRUE(topics.ok());
  EXPECT_NE(std::find(topics->begin(), topics->end(), "described"), topics->end());
  EXPECT_EQ(std::find(topics->begin(), topics->end(), "_rivven-connect-offsets"), topics->end());
}

TEST_F(KafkaBrokerTest, CheckpointsAreTheLatestSavedAndSeenByAnotherBroker) {
  auto broker = Open();
  CheckpointStore& store = broker->Checkpoints();
  auto empty = store.Load("pg");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_FALSE(empty->has_value());
  ASSERT_TRUE(store.Save("pg", R"({"lsn":"0/10"})").ok());
  ASSERT_TRUE(store.Save("mysql", R"({"file":"b.1","pos":4})").ok());
  ASSERT_TRUE(store.Save("pg", R"({"lsn":"0/20"})").ok());
  auto loaded = store.Load("pg");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->value_or(""), R"({"lsn":"0/20"})");
  // Another process (here another broker) picks up where this one left off.
  auto other = Open();
  EXPECT_EQ(other->Checkpoints().Load("pg")->value_or(""), R"({"lsn":"0/20"})");
  EXPECT_EQ(other->Checkpoints().Load("mysql")->value_or(""), R"({"file":"b.1","pos":4})");
  EXPECT_FALSE(other->Checkpoints().Load("unknown")->has_value());
}

TEST_F(KafkaBrokerTest, AMissingCheckpointTopicTheClusterCannotCreateIsAClearError) {
  options_.offsets_topic = "_rivven-connect-offsets-missing";
  options_.request_timeout = 3s;  // the mock leaves CreateTopics unanswered
  auto broker = Open();
  Status s = broker->Checkpoints().Save("src", "{}");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("_rivven-connect-offsets-missing is missing and could not be created"),
            std::string::npos)
      << s.message();
}

TEST_F(KafkaBrokerTest, ADeadBootstrapServerIsSkippedForALiveOne) {
  ASSERT_TRUE(cluster_->CreateTopic("failover", 1, 1));
  std::vector<std::string> servers = {"127.0.0.1:1"};  // nothing listens there
  servers.push_back(cluster_->servers().back());
  options_.client.bootstrap_servers = servers;
  auto broker = Open();
  ASSERT_NE(broker, nullptr);
  auto producer = broker->NewProducer();
  ASSERT_TRUE(producer.ok());
  std::vector<Record> records(3);
  for (auto& r : records) r.value = "x";
  ASSERT_TRUE((*producer)->Send("failover", records).ok());
  auto info = broker->DescribeTopic("failover");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->partitions[0].end_offset.value(), 3);
}

TEST_F(KafkaBrokerTest, AnUnreachableClusterFailsAtOpenNamingTheServers) {
  options_.client.bootstrap_servers = {"127.0.0.1:1", "127.0.0.1:2"};
  options_.client.connection_timeout_ms = 1000;
  options_.request_timeout = 2s;
  auto b = OpenKafkaBroker(options_);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().retriable());
  EXPECT_NE(b.status().message().find("127.0.0.1:1,127.0.0.1:2"), std::string::npos)
      << b.status().message();
}

}  // namespace
}  // namespace rivven
