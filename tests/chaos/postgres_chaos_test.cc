// Chaos: postgres-cdc -> embedded topic -> file sink, with rivven-connect SIGKILLed, PostgreSQL
// restarted, connections cut, refused and slowed by a proxy, while a writer keeps inserting rows.
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "chaos/chaos_support.h"
#include "support/postgres_server.h"
#include "support/tcp_proxy.h"

namespace rivven::testing::chaos {
namespace {

TEST(PostgresChaosTest, CdcToFileLosesNoRowThroughKillsRestartsAndCutConnections) {
  ASSERT_TRUE(PostgresServer::Available()) << "PostgreSQL 15 is not installed: run scripts/install-deps.sh";
  std::string error;
  auto server = PostgresServer::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  auto proxy = TcpProxy::Start(server->port(), &error);
  ASSERT_NE(proxy, nullptr) << error;
  ASSERT_EQ(server->Exec("CREATE TABLE t (id int8 PRIMARY KEY, version int8 NOT NULL, "
                         "val text NOT NULL); GRANT SELECT ON t TO rivven; "
                         "CREATE PUBLICATION chaos_pub FOR TABLE t"),
            "");
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "settings: {shutdown_timeout_ms: 10000}\n"
            "sources:\n"
            "  pg:\n"
            "    connector: postgres-cdc\n"
            "    topic: changes\n"
            "    config:\n"
            "      host: 127.0.0.1\n"
            "      port: " + std::to_string(proxy->port()) + "\n"
            "      database: postgres\n"
            "      user: rivven\n"
            "      password: rivven-secret\n"
            "      slot_name: chaos_slot\n"
            "      publication_name: chaos_pub\n"
            "      publication_tables: [public.t]\n"
            "      heartbeat_interval_ms: 1000\n"
            "      status_interval_ms: 1000\n"
            "sinks:\n"
            "  out: {connector: file, topics: [changes], config: {path: " + dir / "out" + "}}\n");
  ConnectProcess connect(dir / "p.yaml", dir.path());
  connect.Start();
  // The slot exists once the source ran its first start; rows written before it are the snapshot.
  ASSERT_TRUE(WaitUntil([&] { return server->QueryValue("SELECT active FROM pg_replication_slots "
                                                        "WHERE slot_name = 'chaos_slot'") == "t"; },
                        seconds(30)))
      << connect.Log();

  SteadyProducer producer(
      [&](int64_t first, int64_t last) {
        const std::string e = server->Exec(
            "INSERT INTO t SELECT g, g, 'row ' || g FROM generate_series(" + std::to_string(first) +
            ", " + std::to_string(last) + ") g");
        return e.empty() || e.find("duplicate key") != std::string::npos;
      },
      1, 5, milliseconds(20));

  const int rounds = Scaled(10, 50);
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> pause_ms(300, 900);
  int kills = 0, restarts = 0, cuts = 0, refusals = 0, slow = 0;
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    switch (round % 5) {
      case 0:
        ASSERT_TRUE(connect.KillAndRestart()) << "rivven-connect had exited\n" << connect.Log();
        ++kills;
        break;
      case 1:
        cuts += proxy->CutAll() > 0 ? 1 : 0;
        break;
      case 2:
        ASSERT_TRUE(server->Stop()) << server->Log();
        std::this_thread::sleep_for(milliseconds(700));
        ASSERT_TRUE(server->StartAgain()) << server->Log();
        ++restarts;
        break;
      case 3:
        proxy->SetMode(TcpProxy::Mode::kRefuse);
        proxy->CutAll();
        std::this_thread::sleep_for(milliseconds(1500));
        proxy->SetMode(TcpProxy::Mode::kForward);
        ++refusals;
        break;
      case 4:  // a slow network: every exchange with the server waits 150 ms each way
        proxy->SetLatency(milliseconds(150));
        std::this_thread::sleep_for(milliseconds(1500));
        proxy->SetLatency(milliseconds(0));
        ++slow;
        break;
    }
  }
  const auto last_fault = Clock::now();
  std::this_thread::sleep_for(milliseconds(500));  // the source keeps producing past the faults
  const std::set<int64_t> produced = producer.Stop();
  ASSERT_FALSE(produced.empty());
  const std::string output = dir / "out/changes.jsonl";
  const bool caught_up =
      WaitUntil([&] { return AllDelivered(produced, ChangeEventIds(output)); }, seconds(90));
  const double recovery = SecondsSince(last_fault);
  EXPECT_TRUE(connect.Running()) << "rivven-connect gave up\n" << connect.Log();
  const Tally tally = Compare(produced, ChangeEventIds(output));
  EXPECT_TRUE(caught_up) << "not every row arrived within 90 s; missing: " << tally.missing_sample
                         << "\n" << connect.Log();
  EXPECT_EQ(tally.missing, 0) << tally.missing_sample;
  EXPECT_EQ(tally.unexpected, 0);
  // At-least-once: a row is replayed only when a fault hit between its produce and the
  // checkpoint (source) or its write and the offset commit (sink). Both happen within a second
  // of the row's commit here, and the writer adds 250 rows a second, so each disruptive fault
  // (kill, restart, cut, refusal) replays at most a few hundred rows.
  const int disruptive = kills + restarts + cuts + refusals;
  EXPECT_LE(tally.duplicates, static_cast<int64_t>(disruptive) * 500) << "faults " << disruptive;
  EXPECT_EQ(connect.Stop(), 0) << connect.Log();
  Report("postgres-cdc → embedded → file",
         std::to_string(kills) + " kill -9, " + std::to_string(restarts) + " PostgreSQL restarts, " +
             std::to_string(cuts) + " cuts, " + std::to_string(refusals) + " refusals, " +
             std::to_string(slow) + " slow periods (150 ms)",
         tally, recovery);
}

}  // namespace
}  // namespace rivven::testing::chaos
