// Chaos: datagen -> embedded topic -> kafka sink -> librdkafka's mock cluster, with rivven-connect
// SIGKILLed, the brokers taken down and brought back, and produce requests failing, while the
// generator keeps producing. The mock's metadata advertises its brokers' own ports, so a proxy
// could only stand in front of the bootstrap connection: the brokers are cut with the mock's own
// fault injection instead (rd_kafka_mock_broker_set_down closes every connection to a broker and
// refuses new ones until set_up; push_request_errors fails the next requests of an API).
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "chaos/chaos_support.h"
#include "support/kafka_mock_cluster.h"

namespace rivven::testing::chaos {
namespace {

constexpr int kBrokers = 3;

/// The order ids in topic `out`, read by kcat (an independent client).
std::vector<int64_t> OrderIdsInKafka(const KafkaMockCluster& cluster) {
  auto r = RunProcess({"/usr/bin/kcat", "-b", cluster.bootstraps(), "-C", "-t", "out", "-o",
                       "beginning", "-e", "-q", "-f", "%s\n"},
                      {.timeout = seconds(60)});
  std::vector<int64_t> ids;
  if (r.exit_code != 0) return ids;
  static const std::regex id("\"order_id\":([0-9]+)");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), id);
       it != std::sregex_iterator(); ++it) {
    ids.push_back(std::stoll((*it)[1]));
  }
  return ids;
}

TEST(KafkaChaosTest, DatagenToKafkaLosesNoOrderThroughKillsBrokerOutagesAndRequestErrors) {
  std::string error;
  auto cluster = KafkaMockCluster::Start(kBrokers, &error);
  ASSERT_NE(cluster, nullptr) << error;
  ASSERT_TRUE(cluster->CreateTopic("out", 3, 1));
  const int rounds = Scaled(8, 40);
  const int rate = 400;
  constexpr int kOutageMs = 1500;
  // The pauses between faults are drawn first, so the generator can be sized to outlast the
  // faults by about two seconds: the run then ends soon after the last fault, and its end is
  // when every order is in Kafka and committed.
  std::mt19937 rng(33);
  std::uniform_int_distribution<int> pause_ms(300, 900);
  std::vector<int> pauses;
  int64_t schedule_ms = 2000;
  for (int round = 0; round < rounds; ++round) {
    pauses.push_back(pause_ms(rng));
    schedule_ms += pauses.back() + (round % 4 == 1 ? kOutageMs : 0);
  }
  const int64_t orders = rate * schedule_ms / 1000;
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "settings: {shutdown_timeout_ms: 10000}\n"
            "sources:\n"
            "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 21, "
            "events_per_second: " + std::to_string(rate) + ", max_events: " +
                std::to_string(orders) + "}}\n"
            "sinks:\n"
            "  kafka:\n"
            "    connector: kafka\n"
            "    topics: [orders]\n"
            "    consumer_group: kafka-sink\n"
            "    config:\n"
            "      bootstrap_servers: \"" + cluster->bootstraps() + "\"\n"
            "      target_topic: out\n"
            "      acks: all\n");
  ConnectProcess connect(dir / "p.yaml", dir.path());
  connect.Start();

  int kills = 0, outages = 0, error_bursts = 0, leader_moves = 0;
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(milliseconds(pauses[round]));
    switch (round % 4) {
      case 0:
        ASSERT_TRUE(connect.KillAndRestart()) << "rivven-connect had exited\n" << connect.Log();
        ++kills;
        break;
      case 1:  // every broker down at once: nothing can be produced for a while
        for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(cluster->SetBrokerDown(b));
        std::this_thread::sleep_for(milliseconds(kOutageMs));
        for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(cluster->SetBrokerUp(b));
        ++outages;
        break;
      case 2:  // retriable produce errors: request timed out, not leader, not enough replicas
        cluster->PushRequestErrors(0, {7, 6, 19, 7, 6, 19});
        ++error_bursts;
        break;
      case 3:
        ASSERT_TRUE(cluster->SetLeader("out", round % 3, 1 + (round / 4) % kBrokers));
        ++leader_moves;
        break;
    }
  }
  const auto last_fault = Clock::now();
  std::set<int64_t> produced;
  for (int64_t id = 1; id <= orders; ++id) produced.insert(id);
  // The run is bounded: it ends once every order is in Kafka and committed. Recovery here
  // includes the generator's last ~2 s of orders.
  const bool caught_up = WaitUntil([&] { return !connect.Running(); }, seconds(120));
  const std::vector<int64_t> delivered = OrderIdsInKafka(*cluster);
  const double recovery = SecondsSince(last_fault);
  EXPECT_TRUE(caught_up) << "the bounded run did not end within 120 s\n" << connect.Log();
  EXPECT_EQ(connect.Stop(), 0) << connect.Log();
  const Tally tally = Compare(produced, delivered);
  EXPECT_EQ(tally.missing, 0) << tally.missing_sample << "\n" << connect.Log();
  EXPECT_EQ(tally.unexpected, 0);
  // Only a kill replays: the idempotent producer absorbs broker outages and request errors.
  // A kill resends what the sink had produced but not committed: at most the in-flight poll
  // batch, i.e. under a second of the generator's 400 orders a second.
  EXPECT_LE(tally.duplicates, static_cast<int64_t>(kills) * rate) << "kills " << kills;
  Report("datagen → embedded → kafka (mock)",
         std::to_string(kills) + " kill -9, " + std::to_string(outages) + " outages of all " +
             std::to_string(kBrokers) + " brokers, " + std::to_string(error_bursts) +
             " produce error bursts, " + std::to_string(leader_moves) + " leader moves",
         tally, recovery);
}

}  // namespace
}  // namespace rivven::testing::chaos
