// Two rivven-connect processes with the same config on one Kafka cluster (the mock, hosted by
// this test): the sink's partitions are shared through the consumer group, the source runs in
// one process at a time (its lease), and when one process is killed with SIGKILL the other takes
// over both without losing a record.
#include <signal.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_consumer.h"
#include "support/kafka_mock_cluster.h"
#include "support/process.h"

namespace rivven::kafka {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMockCluster;
namespace t = rivven::testing;

std::set<int64_t> OrderIds(const std::string& text) {
  static const std::regex id("\"order_id\":([0-9]+)");
  std::set<int64_t> ids;
  for (const std::string& line : t::SplitLines(text)) {
    std::smatch m;
    if (std::regex_search(line, m, id)) ids.insert(std::stoll(m[1]));
  }
  return ids;
}

class KafkaScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = KafkaMockCluster::Start(3, &error);
    ASSERT_NE(cluster_, nullptr) << error;
    ASSERT_TRUE(cluster_->CreateTopic("_rivven-connect-offsets", 1, 1));
    ASSERT_TRUE(cluster_->CreateTopic("orders", 4, 1));
    client_.bootstrap_servers = cluster_->servers();
    auto admin = KafkaAdmin::Create(client_);
    ASSERT_TRUE(admin.ok());
    admin_ = std::move(*admin);
  }

  int64_t Stored() {
    int64_t n = 0;
    for (int32_t p = 0; p < 4; ++p) {
      auto marks = admin_->Watermarks("orders", p, 10s);
      if (marks.ok()) n += marks->second;
    }
    return n;
  }

  bool WaitStored(int64_t at_least, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (Stored() >= at_least) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // Every record of the topic: (partition, offset) -> value.
  std::map<std::pair<int32_t, int64_t>, std::string> TopicRecords() {
    ConsumerOptions o;
    o.group_id = "verifier";
    auto c = KafkaConsumer::Create(client_, o);
    EXPECT_TRUE((*c)->Subscribe({"orders"}).ok());
    const int64_t total = Stored();
    std::map<std::pair<int32_t, int64_t>, std::string> out;
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (static_cast<int64_t>(out.size()) < total && std::chrono::steady_clock::now() < until) {
      auto batch = (*c)->Poll(5000, 200ms);
      if (!batch.ok()) break;
      for (auto& r : *batch) out[{r.partition, r.offset.value()}] = *r.record.value;
    }
    EXPECT_EQ(static_cast<int64_t>(out.size()), total);
    return out;
  }

  // The group's committed offset per partition.
  std::map<int32_t, int64_t> Committed(const std::string& group) {
    ConsumerOptions o;
    o.group_id = group;
    auto c = KafkaConsumer::Create(client_, o);
    std::vector<PartitionOffset> of;
    for (int32_t p = 0; p < 4; ++p) of.push_back({"orders", p, 0});
    auto committed = (*c)->Committed(of, 10s);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    std::map<int32_t, int64_t> out;
    for (const auto& p : *committed) out[p.partition] = p.offset;
    return out;
  }

  std::unique_ptr<KafkaMockCluster> cluster_;
  ClientConfig client_;
  std::unique_ptr<KafkaAdmin> admin_;
};

TEST_F(KafkaScaleOutTest, OneProcessKilledTheOtherTakesOverSourceAndPartitionsLosingNothing) {
  t::TempDir dir;
  // One config for both; each process has its own data dir and output folder.
  t::WriteFile(dir / "p.yaml",
               "version: \"1.0\"\n"
               "broker:\n"
               "  bootstrap_servers: \"" + cluster_->bootstraps() + "\"\n"
               "  request_timeout_ms: 10000\n"
               "  librdkafka: {session.timeout.ms: \"6000\", heartbeat.interval.ms: \"500\"}\n"
               "sources:\n"
               "  gen:\n"
               "    connector: datagen\n"
               "    topic: orders\n"
               "    config: {pattern: orders, seed: 5, events_per_second: 4000}\n"
               "sinks:\n"
               "  files:\n"
               "    connector: file\n"
               "    topics: [orders]\n"
               "    consumer_group: files\n"
               "    config: {path: \"${OUT}\"}\n");
  auto start = [&](const std::string& name) {
    t::ProcessOptions o;
    o.env = {{"OUT", dir / ("out-" + name)}};
    return std::make_unique<t::BackgroundProcess>(
        std::vector<std::string>{t::BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir",
                                 dir / ("data-" + name)},
        o, dir / ("stdout-" + name), dir / ("stderr-" + name));
  };
  auto a = start("a");
  ASSERT_TRUE(WaitStored(1, 30s));
  auto b = start("b");
  ASSERT_TRUE(WaitStored(8000, 60s)) << t::ReadFile(dir / "stderr-a");
  // Only one process runs the source.
  const std::string err_a = t::ReadFile(dir / "stderr-a"), err_b = t::ReadFile(dir / "stderr-b");
  EXPECT_NE(err_b.find("waiting for this source's lease"), std::string::npos) << err_b;

  a->Signal(SIGKILL);
  a->Wait(10s);
  const int64_t at_kill = Stored();
  // B takes the source over after the group's session timeout and goes on from A's last
  // checkpoint.
  ASSERT_TRUE(WaitStored(at_kill + 8000, 60s)) << t::ReadFile(dir / "stderr-b");
  b->Signal(SIGTERM);
  EXPECT_EQ(b->Wait(60s).exit_code, 0) << t::ReadFile(dir / "stderr-b");

  const auto records = TopicRecords();
  std::string all;
  for (const auto& [at, value] : records) all += value + "\n";
  // The source lost nothing: the distinct orders in the topic are 1..N without a gap
  // (duplicates are the batches A had in flight).
  const std::set<int64_t> in_topic = OrderIds(all);
  ASSERT_FALSE(in_topic.empty());
  EXPECT_EQ(*in_topic.begin(), 1);
  EXPECT_EQ(static_cast<int64_t>(in_topic.size()), *in_topic.rbegin());
  // The sink lost nothing: every record below the group's committed offsets is in A's or B's
  // files (what lies above them is read by whichever process runs next).
  std::set<int64_t> written = OrderIds(t::ReadFile(dir / "out-a/orders.jsonl"));
  const std::set<int64_t> by_b = OrderIds(t::ReadFile(dir / "out-b/orders.jsonl"));
  EXPECT_FALSE(by_b.empty());
  written.insert(by_b.begin(), by_b.end());
  const auto committed = Committed("files");
  int64_t checked = 0;
  std::vector<std::string> missing;
  for (const auto& [at, value] : records) {
    auto c = committed.find(at.first);
    if (c == committed.end() || at.second >= c->second) continue;
    ++checked;
    for (int64_t id : OrderIds(value)) {
      if (!written.count(id)) missing.push_back(value);
    }
  }
  EXPECT_GT(checked, static_cast<int64_t>(records.size()) / 2);
  EXPECT_TRUE(missing.empty()) << missing.size() << " committed records missing, e.g. "
                               << missing.front();
}

}  // namespace
}  // namespace rivven::kafka
