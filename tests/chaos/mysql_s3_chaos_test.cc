// Chaos: mysql-cdc -> embedded topic -> s3 sink on s3rver, with rivven-connect SIGKILLed, MariaDB
// restarted, the binlog connection cut, and the S3 endpoint refusing and black-holing
// connections (both through proxies), while a writer keeps inserting rows.
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "chaos/chaos_support.h"
#include "integration/s3_sink/s3_readback.h"
#include "support/mariadb_server.h"
#include "support/s3rver.h"
#include "support/tcp_proxy.h"

namespace rivven::testing::chaos {
namespace {

constexpr char kBucket[] = "chaos";

/// The ids of the change events in every object of the bucket (independent read-back: boto3).
std::vector<int64_t> IdsInBucket(const S3rver& s3, const TempDir& scratch) {
  std::vector<int64_t> ids;
  for (const StoredObject& o : ReadBack(s3, kBucket, "", scratch)) {
    for (const std::string& value : TextValues(o)) {
      std::string error;
      if (auto e = ParseEvent(value, &error)) ids.push_back(e->id);
    }
  }
  return ids;
}

TEST(MysqlS3ChaosTest, CdcToS3LosesNoRowThroughKillsRestartsAndCutConnections) {
  ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run scripts/install-deps.sh";
  std::string error;
  auto db = MariadbServer::Start({}, &error);
  ASSERT_NE(db, nullptr) << error;
  auto s3 = S3rver::Start({kBucket}, &error);
  ASSERT_NE(s3, nullptr) << error;
  auto db_proxy = TcpProxy::Start(db->port(), &error);
  ASSERT_NE(db_proxy, nullptr) << error;
  auto s3_proxy = TcpProxy::Start(s3->port(), &error);
  ASSERT_NE(s3_proxy, nullptr) << error;
  ASSERT_EQ(db->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, version BIGINT NOT NULL, "
                     "val VARCHAR(64))",
                     MariadbServer::kDatabase),
            "");
  TempDir dir, scratch;
  WriteFile(dir / "p.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "settings: {shutdown_timeout_ms: 10000}\n"
            "sources:\n"
            "  my:\n"
            "    connector: mysql-cdc\n"
            "    topic: cdc\n"
            "    topic_config: {partitions: 2}\n"
            "    config:\n"
            "      host: 127.0.0.1\n"
            "      port: " + std::to_string(db_proxy->port()) + "\n"
            "      database: " + MariadbServer::kDatabase + "\n"
            "      user: rivven\n"
            "      password: rivven-secret\n"
            "      server_id: 4343\n"
            "      tables: [t]\n"
            "      ssl_mode: disabled\n"
            "      heartbeat_interval_ms: 500\n"
            "sinks:\n"
            "  lake:\n"
            "    connector: s3\n"
            "    topics: [cdc]\n"
            "    consumer_group: lake\n"
            "    config:\n"
            "      bucket: " + kBucket + "\n"
            "      region: us-east-1\n"
            "      endpoint: http://" + s3_proxy->address() + "\n"
            "      force_path_style: true\n"
            "      access_key_id: " + S3rver::kAccessKey + "\n"
            "      secret_access_key: " + S3rver::kSecretKey + "\n"
            "      compression: gzip\n"
            "      batch_size: 200\n"
            "      batch_timeout_secs: 1\n");
  ConnectProcess connect(dir / "p.yaml", dir.path());
  connect.Start();

  SteadyProducer producer(
      [&](int64_t first, int64_t last) {
        const std::string e = db->Exec(
            "INSERT INTO t SELECT seq, seq, CONCAT('row ', seq) FROM seq_" + std::to_string(first) +
                "_to_" + std::to_string(last),
            MariadbServer::kDatabase);
        return e.empty() || e.find("Duplicate entry") != std::string::npos;
      },
      1, 5, milliseconds(20));

  const int rounds = Scaled(10, 50);
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> pause_ms(300, 900);
  int kills = 0, restarts = 0, db_cuts = 0, s3_refusals = 0, s3_hangs = 0;
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    switch (round % 5) {
      case 0:
        ASSERT_TRUE(connect.KillAndRestart()) << "rivven-connect had exited\n" << connect.Log();
        ++kills;
        break;
      case 1:
        db_cuts += db_proxy->CutAll() > 0 ? 1 : 0;
        break;
      case 2:
        ASSERT_TRUE(db->Stop()) << db->Log();
        std::this_thread::sleep_for(milliseconds(700));
        ASSERT_TRUE(db->StartAgain()) << db->Log();
        ++restarts;
        break;
      case 3:
        s3_proxy->SetMode(TcpProxy::Mode::kRefuse);
        s3_proxy->CutAll();
        std::this_thread::sleep_for(milliseconds(1500));
        s3_proxy->SetMode(TcpProxy::Mode::kForward);
        ++s3_refusals;
        break;
      case 4:  // new S3 connections hang unanswered, then are dropped
        s3_proxy->SetMode(TcpProxy::Mode::kBlackHole);
        s3_proxy->CutAll();
        std::this_thread::sleep_for(milliseconds(2000));
        s3_proxy->SetMode(TcpProxy::Mode::kForward);
        s3_proxy->CutAll();
        ++s3_hangs;
        break;
    }
  }
  const auto last_fault = Clock::now();
  std::this_thread::sleep_for(milliseconds(500));
  const std::set<int64_t> produced = producer.Stop();
  ASSERT_FALSE(produced.empty());
  std::vector<int64_t> delivered;
  const bool caught_up = WaitUntil(
      [&] {
        delivered = IdsInBucket(*s3, scratch);
        return AllDelivered(produced, delivered);
      },
      seconds(90));
  const double recovery = SecondsSince(last_fault);
  EXPECT_TRUE(connect.Running()) << "rivven-connect gave up\n" << connect.Log();
  EXPECT_EQ(connect.Stop(), 0) << connect.Log();
  const Tally tally = Compare(produced, delivered);
  EXPECT_TRUE(caught_up) << "missing: " << tally.missing_sample << "\n"
                         << connect.LogLines("[lake]") << connect.LogLines("[pipeline]");
  EXPECT_EQ(tally.missing, 0) << tally.missing_sample;
  EXPECT_EQ(tally.unexpected, 0);
  // Object keys come from topic/partition/first offset, so a sink replay overwrites the same
  // object: only source replays (binlog events produced again after a kill, a cut or a restart
  // before their checkpoint) remain, each under a second of the writer's 250 rows a second.
  const int disruptive = kills + restarts + db_cuts;
  EXPECT_LE(tally.duplicates, static_cast<int64_t>(disruptive) * 250) << "faults " << disruptive;
  Report("mysql-cdc → embedded → s3 (s3rver)",
         std::to_string(kills) + " kill -9, " + std::to_string(restarts) + " MariaDB restarts, " +
             std::to_string(db_cuts) + " binlog cuts, " + std::to_string(s3_refusals) +
             " S3 refusals, " + std::to_string(s3_hangs) + " S3 hangs",
         tally, recovery);
}

}  // namespace
}  // namespace rivven::testing::chaos
