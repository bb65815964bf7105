// mysql-cdc through the whole binary against a real MariaDB: snapshot then streaming, every
// change kind, schema changes, a concurrent workload, SIGKILL during the snapshot and during
// streaming, a server restart and binlog rotation — each checked against the table's state.
#include "mysql_pipeline_fixture.h"

namespace rivven::testing {
namespace {

TEST_F(MysqlPipelineTest, SnapshotThenEveryChangeKind) {
  CreateTable(25);
  WriteConfig("initial", 10);
  Start();
  ASSERT_TRUE(WaitForEvents(25)) << Logs();
  ASSERT_EQ(server_->Exec(
                "INSERT INTO t VALUES (100, 100, 'a'), (101, 101, 'b'), (102, 102, 'c');"
                "UPDATE t SET version = version + 1000, val = 'changed' WHERE id < 3;"
                "DELETE FROM t WHERE id IN (101, 5);"
                "START TRANSACTION; INSERT INTO t VALUES (200, 200, 'tx'); UPDATE t SET id = 201 "
                "WHERE id = 200; COMMIT;"
                "START TRANSACTION; INSERT INTO t VALUES (300, 300, 'rolled back'); ROLLBACK;",
                db_),
            "");
  ASSERT_TRUE(WaitForTableState()) << Difference(Replay(Events()), Table()) << Logs();
  const std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 25u + 3 + 3 + 2 + 2) << Logs();
  for (size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(events[i].op, 'r');
    EXPECT_EQ(events[i].id, static_cast<int64_t>(i)) << "key order";
    EXPECT_EQ(events[i].snapshot, i == 24 ? "last" : "true");
  }
  std::string ops;
  for (size_t i = 25; i < events.size(); ++i) ops += events[i].op;
  EXPECT_EQ(ops, "cccuuuddcu");
  EXPECT_EQ(events[25 + 8].gtid, events[25 + 9].gtid) << "one transaction, one GTID";
  EXPECT_NE(events[25].gtid, events[25 + 3].gtid);
  EXPECT_EQ(events.back().before_id, 200);
  EXPECT_EQ(events.back().id, 201);
  for (const Event& e : events) EXPECT_NE(e.id, 300) << "a rolled-back change was delivered";
  // Progress speaks of the snapshot, which is done, not of the source, which streams on.
  EXPECT_TRUE(WaitUntil(
      [&] { return ReadFile(dir_ / "stderr.log").find("my: done, 25 snapshot rows") != std::string::npos; },
      seconds(10)))
      << Logs();
  Stop();
}

TEST_F(MysqlPipelineTest, SchemaChangesShowFromTheNextChangeOn) {
  CreateTable(0);
  WriteConfig("never");
  Start();
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(dir_ / "stderr.log").find("streaming the binlog") != std::string::npos; }, seconds(30)))
      << Logs();
  ASSERT_EQ(server_->Exec("INSERT INTO t VALUES (1, 1, 'before');"
                          "ALTER TABLE t ADD COLUMN extra INT DEFAULT 7;"
                          "INSERT INTO t VALUES (2, 2, 'after', 8);"
                          "ALTER TABLE t DROP COLUMN extra;"
                          "SET GLOBAL binlog_row_metadata = 'MINIMAL';",
                          db_),
            "");
  // A new session picks up the global setting.
  const std::string error = server_->Exec("ALTER TABLE t ADD COLUMN note VARCHAR(10) FIRST;"
                                          "INSERT INTO t VALUES ('n', 3, 3, 'minimal');",
                                          db_);
  ASSERT_EQ(server_->Exec("SET GLOBAL binlog_row_metadata = 'FULL'"), "");
  ASSERT_EQ(error, "");
  ASSERT_TRUE(WaitForEvents(3)) << Logs();
  const std::string text = ReadFile(output());
  const auto lines = SplitLines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_NE(lines[0].find(R"("after":{"id":1,"version":1,"val":"before"})"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("after":{"id":2,"version":2,"val":"after","extra":8})"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"("after":{"note":"n","id":3,"version":3,"val":"minimal"})"), std::string::npos)
      << "without column names in the binlog, information_schema's are used: " << lines[2];
  Stop();
}

TEST_F(MysqlPipelineTest, ConcurrentWorkloadFinalStateMatches) {
  CreateTable(200);
  WriteConfig("initial", 50);
  Start();
  {
    MysqlWorkload workload(*server_, db_, 4, 300, 11);
    std::this_thread::sleep_for(seconds(4));
    workload.Stop();
    EXPECT_TRUE(workload.errors().empty()) << workload.errors().front();
    EXPECT_GT(workload.commits(), 50);
  }
  ASSERT_TRUE(WaitForTableState()) << Difference(Replay(Events()), Table()) << Logs();
  // Per key, versions only grow in the stream: commit order is kept.
  std::map<int64_t, int64_t> last;
  for (const Event& e : Events()) {
    if (e.op == 'r' || e.version < 0) continue;
    EXPECT_GT(e.version, last[e.id]) << "key " << e.id;
    last[e.id] = e.version;
  }
  Stop();
}

TEST_F(MysqlPipelineTest, SigkillDuringSnapshotAndStreamingLosesNothing) {
  CreateTable(20000);
  WriteConfig("initial", 500);
  Start();
  ASSERT_TRUE(WaitForEvents(3000)) << Logs();
  Stop(SIGKILL);  // mid-snapshot
  std::set<int64_t> committed;
  for (int round = 0; round < 3; ++round) {
    Start();
    MysqlWorkload workload(*server_, db_, 3, 25000, 100 + static_cast<uint64_t>(round));
    std::this_thread::sleep_for(milliseconds(1500 + 500 * round));
    Stop(SIGKILL);
    workload.Stop();
    EXPECT_TRUE(workload.errors().empty()) << workload.errors().front();
    const auto v = workload.committed_versions();
    committed.insert(v.begin(), v.end());
  }
  Start();
  ASSERT_TRUE(WaitForTableState(seconds(120))) << Difference(Replay(Events()), Table()) << Logs();
  std::set<int64_t> seen;
  for (const Event& e : Events()) seen.insert(e.version);
  size_t missing = 0;
  for (int64_t v : committed) missing += seen.count(v) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "committed versions missing from the output";
  for (int64_t id = 0; id < 20000; id += 997) {
    EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [&](int64_t v) { return v == id; }) ||
                Table().count(id) == 0)
        << "snapshot row " << id;
  }
  Stop();
}

TEST_F(MysqlPipelineTest, ServerRestartAndBinlogRotationMidStream) {
  CreateTable(10);
  WriteConfig("initial");
  Start();
  ASSERT_TRUE(WaitForEvents(10)) << Logs();
  ASSERT_EQ(server_->Exec("INSERT INTO t VALUES (50, 50, 'x'); FLUSH BINARY LOGS;"
                          "INSERT INTO t VALUES (51, 51, 'y'); FLUSH BINARY LOGS;",
                          db_),
            "");
  ASSERT_TRUE(WaitForEvents(12)) << Logs();
  ASSERT_TRUE(server_->Restart()) << server_->Log();
  ASSERT_EQ(server_->Exec("INSERT INTO t VALUES (52, 52, 'after restart');"
                          "UPDATE t SET val = 'z' WHERE id = 50;",
                          db_),
            "");
  ASSERT_TRUE(WaitForTableState(seconds(90))) << Difference(Replay(Events()), Table()) << Logs();
  std::set<std::string> files;
  for (const Event& e : Events()) {
    if (e.op != 'r') files.insert(e.file);
  }
  EXPECT_GE(files.size(), 3u) << "the changes span the rotated binlog files";
  Stop();
}

TEST_F(MysqlPipelineTest, PurgedBinlogIsAClearErrorUnlessWhenNeeded) {
  CreateTable(5);
  WriteConfig("initial");
  Start();
  ASSERT_TRUE(WaitForEvents(5)) << Logs();
  Stop();
  // The checkpoint's binlog goes away while the pipeline is stopped.
  ASSERT_EQ(server_->Exec("INSERT INTO t VALUES (9, 9, 'gap'); FLUSH BINARY LOGS;", db_), "");
  auto conn = server_->Connect();
  auto logs = conn->Query("SHOW BINARY LOGS");
  ASSERT_TRUE(logs.ok());
  const std::string newest(*logs->Value(logs->rows() - 1, 0));
  // The server keeps a file a dump thread still reads; the stopped pipeline's goes soon.
  ASSERT_TRUE(WaitUntil(
      [&] {
        server_->Exec("PURGE BINARY LOGS TO '" + newest + "'");
        return server_->QueryValue("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE "
                                   "COMMAND LIKE 'Binlog Dump%'") == "0" &&
               server_->Exec("PURGE BINARY LOGS TO '" + newest + "'").empty() &&
               conn->Query("SHOW BINARY LOGS")->rows() == 1;
      },
      seconds(20)));
  Start();
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(dir_ / "stderr.log").find("when_needed") != std::string::npos; },
                        seconds(30)))
      << Logs();
  EXPECT_NE(ReadFile(dir_ / "stderr.log").find("is no longer on"), std::string::npos) << Logs();
  Stop(SIGKILL);
  WriteConfig("when_needed");
  Start();
  ASSERT_TRUE(WaitForTableState()) << Difference(Replay(Events()), Table()) << Logs();
  Stop();
}

}  // namespace
}  // namespace rivven::testing

namespace rivven::testing {
namespace {

// The "pos" of the source's checkpoint as /metrics reports it; -1 when not there yet.
int64_t CheckpointPos(int port) {
  ProcessOptions o;
  o.timeout = seconds(5);
  auto r = RunProcess({"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}, o);
  const size_t label = r.out.find("rivven_source_position_info{");
  if (label == std::string::npos) return -1;
  const size_t pos = r.out.find("\\\"pos\\\":", label);
  if (pos == std::string::npos) return -1;
  return std::atoll(r.out.c_str() + pos + 8);
}

TEST_F(MysqlPipelineTest, OnlyChosenTablesAreCapturedAndHeartbeatsMoveThePosition) {
  CreateTable(0);
  ASSERT_EQ(server_->Exec("CREATE TABLE u (id BIGINT PRIMARY KEY, version BIGINT, val TEXT);"
                          "CREATE TABLE tmp_1 (id BIGINT PRIMARY KEY, version BIGINT, val TEXT);"
                          "CREATE TABLE tmp_x (id BIGINT PRIMARY KEY);"
                          "CREATE DATABASE IF NOT EXISTS other_db;"
                          "CREATE TABLE IF NOT EXISTS other_db.t (id BIGINT PRIMARY KEY);",
                          db_),
            "");
  const int port = UnusedLoopbackPort();
  WriteConfig("never", 1000, "      table_regex: '" + db_ + "\\.tmp_[0-9]+'\n");
  std::string config = ReadFile(dir_ / "p.yaml");
  config.insert(config.find("sources:"),
                "settings:\n  http: {port: " + std::to_string(port) + ", bind: 127.0.0.1}\n");
  WriteFile(dir_ / "p.yaml", config);
  Start();
  ASSERT_TRUE(WaitUntil([&] { return CheckpointPos(port) > 0; }, seconds(30))) << Logs();
  ASSERT_EQ(server_->Exec("INSERT INTO u VALUES (1, 1, 'not captured');"
                          "INSERT INTO tmp_x VALUES (1);"
                          "INSERT INTO other_db.t VALUES (1);"
                          "INSERT INTO tmp_1 VALUES (7, 7, 'by regex');"
                          "INSERT INTO t VALUES (8, 8, 'listed');",
                          db_),
            "");
  ASSERT_TRUE(WaitForEvents(2)) << Logs();
  // Writes elsewhere move the binlog on; the idle source's heartbeats carry its position there.
  ASSERT_EQ(server_->Exec("INSERT INTO u SELECT seq + 10, seq, 'x' FROM seq_1_to_100;", db_), "");
  auto conn = server_->Connect();
  auto status = conn->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.ok() && status->rows() == 1);
  const int64_t end = std::stoll(std::string(*status->Value(0, "Position")));
  EXPECT_TRUE(WaitUntil([&] { return CheckpointPos(port) >= end; }, seconds(20)))
      << "checkpoint pos " << CheckpointPos(port) << ", binlog at " << end << "\n" << Logs();
  Stop();
  const auto events = Events();
  ASSERT_EQ(events.size(), 2u) << ReadFile(output());
  EXPECT_EQ(events[0].id, 7);
  EXPECT_EQ(events[1].id, 8);
}

}  // namespace
}  // namespace rivven::testing
