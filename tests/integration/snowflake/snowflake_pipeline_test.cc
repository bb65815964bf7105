// The snowflake sink through the binary, against the fake Snowflake living in this test process:
// kill -9 again and again while it streams, then proof through the table that every record is
// there exactly once (the channels' offset tokens at work).
#include <signal.h>

#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "support/fake_snowflake.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

TEST(SnowflakePipelineTest, KillNineWhileStreamingLoadsEveryRecordExactlyOnce) {
  TempDir dir;
  auto run = [](const std::vector<std::string>& argv) { return RunProcess(argv); };
  const std::string openssl = FindOnPath("openssl");
  ASSERT_EQ(run({openssl, "genrsa", "-out", dir / "rsa.pem", "2048"}).exit_code, 0);
  ASSERT_EQ(run({openssl, "pkcs8", "-topk8", "-nocrypt", "-in", dir / "rsa.pem", "-out",
                 dir / "rsa_key.p8"}).exit_code, 0);
  auto pub = run({openssl, "rsa", "-in", dir / "rsa.pem", "-pubout"});
  ASSERT_EQ(pub.exit_code, 0);
  FakeSnowflake::Options o;
  o.public_key_pem = pub.out;
  std::string error;
  auto fake = FakeSnowflake::Start(o, &error);
  ASSERT_TRUE(fake) << error;
  ASSERT_TRUE(fake->ExecuteSql("CREATE TABLE ORDERS (ID NUMBER(38,0), PAD VARCHAR)", "ANALYTICS",
                               "CDC", &error))
      << error;

  // 60,000 records in a topic of 3 partitions, loaded once (not under kill).
  std::string text;
  const int total = 150000;
  for (int i = 0; i < total; ++i) {
    text += "{\"id\":" + std::to_string(i) + ",\"pad\":\"" + std::string(30, 'p') + "\"}\n";
  }
  WriteFile(dir / "in.jsonl", text);
  WriteFile(dir / "load.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "sources:\n"
            "  in: {connector: file, topic: orders, topic_config: {partitions: 3}, "
            "config: {path: " + dir / "in.jsonl" + "}}\n");
  auto load = RunProcess({BinaryPath(), "run", "-c", dir / "load.yaml"});
  ASSERT_EQ(load.exit_code, 0) << DescribeResult(load);

  // The sink (and a one-event datagen that makes the run end once the topic is drained).
  WriteFile(dir / "sink.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "sources:\n"
            "  tick: {connector: datagen, topic: tick, config: {pattern: orders, max_events: 1, "
            "events_per_second: 0}}\n"
            "sinks:\n"
            "  lake:\n"
            "    connector: snowflake\n"
            "    topics: [orders]\n"
            "    consumer_group: lake\n"
            "    config:\n"
            "      account: testorg-testacct\n"
            "      user: rivven\n"
            "      private_key_path: " + dir / "rsa_key.p8" + "\n"
            "      database: analytics\n"
            "      schema: cdc\n"
            "      table: orders\n"
            "      url: " + fake->base_url() + "\n"
            "      batch_size: 200\n"
            "      batch_timeout_secs: 0.2\n");
  const std::vector<std::string> cmd = {BinaryPath(), "run", "-c", dir / "sink.yaml"};
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> delay_ms(60, 250);
  int kills = 0;
  for (int attempt = 0; attempt < 30 && kills < 5; ++attempt) {
    BackgroundProcess p(cmd, {}, dir / "stdout", dir / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!p.Running()) {
      std::cout << "a run ended before its kill\n";
      break;
    }
    p.Signal(SIGKILL);
    if (p.Wait(std::chrono::seconds(10)).signal == SIGKILL) ++kills;
  }
  EXPECT_GE(kills, 3) << "the run finished too quickly to be killed 3 times";
  auto last = RunProcess(cmd);
  ASSERT_EQ(last.exit_code, 0) << DescribeResult(last);

  auto table = fake->Table("ANALYTICS.CDC.ORDERS");
  ASSERT_TRUE(table);
  std::map<int64_t, int> ids;
  for (const auto& row : table->rows) ids[std::stoll(*row.at("ID"))]++;
  EXPECT_EQ(ids.size(), static_cast<size_t>(total)) << "missing records after " << kills << " kills";
  int duplicated = 0;
  for (const auto& [id, n] : ids) duplicated += n > 1;
  EXPECT_EQ(duplicated, 0) << "records loaded twice after " << kills << " kills";
  EXPECT_EQ(table->rows.size(), static_cast<size_t>(total));
  std::cout << "kills=" << kills << " rows=" << table->rows.size() << "\n";
}

}  // namespace
}  // namespace rivven::testing
