// postgres-cdc through the whole binary: PostgreSQL -> embedded broker -> file sink (jsonl), with
// concurrent writers, kill -9 of the pipeline, a restart of the server, and TLS. Each test has its
// own database, slot and publication; the source logs in as `rivven` (REPLICATION, no superuser).
#include "postgres_pipeline_fixture.h"
#include "support/test_ca.h"

namespace rivven::testing {
namespace {


using PostgresPipelineTest = PipelineFixture<false>;
using PostgresPipelineTlsTest = PipelineFixture<true>;

TEST_F(PostgresPipelineTest, SnapshotAndStreamEndToEnd) {
  const auto start = Clock::now();
  // `rivven` owns the table and creates the publication itself; `other` is not captured.
  Sql("CREATE TABLE t (id int8 PRIMARY KEY, version int8 NOT NULL, val text NOT NULL); "
      "INSERT INTO t SELECT g, 1, 'row ' || g FROM generate_series(1, 5) g; "
      "CREATE TABLE other (id int PRIMARY KEY); INSERT INTO other VALUES (1); "
      "ALTER TABLE t OWNER TO rivven; GRANT CREATE ON DATABASE " + db_ + " TO rivven");
  const std::string yaml = WritePipeline();

  const ProcessResult check = Command("check", yaml);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("source pg"), std::string::npos) << check.out;
  EXPECT_EQ(Slot("1"), "") << "check must create nothing";
  EXPECT_EQ(server_->QueryValue("SELECT count(*) FROM pg_publication", db_), "0")
      << "check must create nothing";
  const ProcessResult discover = Command("discover", yaml, {"--source", "pg"});
  ASSERT_EQ(discover.exit_code, 0) << discover.out << discover.err;
  EXPECT_NE(discover.out.find("\"public.t\""), std::string::npos) << discover.out;
  EXPECT_NE(discover.out.find("\"x-primary-key\":[\"id\"]"), std::string::npos) << discover.out;
  EXPECT_EQ(discover.out.find("public.other"), std::string::npos) << discover.out;

  auto p = StartPipeline(yaml);
  ASSERT_TRUE(WaitUntil([&] { return ReadEvents(Output()).size() >= 5; }, seconds(20))) << Log();
  {
    const auto events = ReadEvents(Output());
    ASSERT_EQ(events.size(), 5u);
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].op, 'r');
      EXPECT_EQ(events[i].id, static_cast<int64_t>(i + 1));
      EXPECT_EQ(events[i].val, "row " + std::to_string(i + 1));
      EXPECT_EQ(events[i].snapshot, i + 1 == events.size() ? "last" : "true");
    }
  }
  // Serial transactions, so their commit order is known; one rolls back.
  Sql("INSERT INTO t VALUES (6, 1, 'six'), (7, 1, 'seven')");
  Sql("UPDATE t SET version = 2, val = 'one again' WHERE id = 1");
  Sql("DELETE FROM t WHERE id = 2");
  Sql("BEGIN; INSERT INTO t VALUES (99, 1, 'rolled back'); ROLLBACK");
  Sql("BEGIN; UPDATE t SET version = 2, val = 'six again' WHERE id = 6; "
      "DELETE FROM t WHERE id = 7; COMMIT");
  Sql("UPDATE t SET id = 30 WHERE id = 3");
  Sql("INSERT INTO t VALUES (2, 3, 'two is back')");
  Sql("INSERT INTO other VALUES (2)");
  struct Expected {
    char op;
    int64_t id;
    std::string val;
  };
  const std::vector<Expected> expected = {
      {'c', 6, "six"},       {'c', 7, "seven"},  {'u', 1, "one again"}, {'d', 2, ""},
      {'u', 6, "six again"}, {'d', 7, ""},       {'u', 30, "row 3"},    {'c', 2, "two is back"}};
  ASSERT_TRUE(WaitUntil([&] { return ReadEvents(Output()).size() >= 5 + expected.size(); },
                        seconds(20)))
      << Log();
  std::this_thread::sleep_for(milliseconds(500));  // nothing more may come
  const auto events = ReadEvents(Output());
  ASSERT_EQ(events.size(), 5 + expected.size()) << ReadFile(Output());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Event& e = events[5 + i];
    SCOPED_TRACE("streamed event " + std::to_string(i));
    EXPECT_EQ(e.op, expected[i].op);
    EXPECT_EQ(e.id, expected[i].id);
    EXPECT_EQ(e.val, expected[i].val);
    EXPECT_EQ(e.snapshot, "false");
    EXPECT_GT(e.tx_id, 0);
    if (i > 0) {
      EXPECT_GT(e.lsn, events[4 + i].lsn) << "serial transactions: each later in the WAL";
    }
  }
  EXPECT_EQ(events[5].tx_id, events[6].tx_id) << "one transaction";
  EXPECT_EQ(events[9].tx_id, events[10].tx_id) << "one transaction";
  EXPECT_LT(events[6].tx_id, events[7].tx_id);
  ASSERT_TRUE(events[11].before_id.has_value()) << "a key change carries the old key";
  EXPECT_EQ(*events[11].before_id, 3);
  EXPECT_EQ(Replay(events), ReadTable());

  const ProcessResult again = Command("check", yaml, {"--source", "pg"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  StopPipeline(*p);
  std::cout << "events=" << events.size() << " seconds=" << SecondsSince(start) << "\n";
}

TEST_F(PostgresPipelineTest, ConcurrentWorkloadFinalStateMatches) {
  const auto start = Clock::now();
  CreateTable(100);
  auto p = StartPipeline(WritePipeline());
  ASSERT_TRUE(WaitUntil([&] { return ReadEvents(Output()).size() >= 100; }, seconds(20))) << Log();

  std::set<int64_t> committed;
  int64_t commits = 0, rollbacks = 0;
  {
    Workload workload(*server_, db_, 4, 1, 200, 7);
    std::this_thread::sleep_for(seconds(3));
    workload.Stop();
    EXPECT_TRUE(workload.errors().empty()) << workload.errors().front();
    committed = workload.committed_versions();
    commits = workload.commits();
    rollbacks = workload.rollbacks();
  }
  const TableState table = ReadTable();
  ASSERT_TRUE(CatchesUp(table, seconds(30)));
  StopPipeline(*p);
  const auto events = ReadEvents(Output());
  EXPECT_EQ(Replay(events), table);

  // Per key, the events follow commit order: present/absent alternate as the ops say, and the
  // versions (drawn under the key's lock) strictly grow.
  std::map<int64_t, int64_t> last_version;
  std::map<int64_t, bool> present;
  std::set<int64_t> captured_versions;
  int order_errors = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    const bool was_present = present[e.id];
    const bool consistent = (e.op == 'r' || e.op == 'c') ? !was_present : was_present;
    if (!consistent || (e.op != 'd' && e.version <= last_version[e.id])) {
      if (++order_errors <= 5) {
        ADD_FAILURE() << "event " << i << " (op " << e.op << ", id " << e.id << ", version "
                      << e.version << ") out of order: key present=" << was_present
                      << ", last version " << last_version[e.id];
      }
    }
    present[e.id] = e.op != 'd';
    if (e.op != 'd') last_version[e.id] = e.version;
    if (e.op == 'c' || e.op == 'u') captured_versions.insert(e.version);
  }
  EXPECT_EQ(order_errors, 0);
  // Every committed write exactly once, nothing from rolled-back transactions.
  EXPECT_EQ(captured_versions, committed);
  size_t changes = 0;
  for (const Event& e : events) changes += e.op != 'r';
  // A transaction's changes are adjacent: pgoutput sends each one whole, at its commit.
  std::set<int64_t> finished_tx;
  int64_t current_tx = -1;
  for (const Event& e : events) {
    if (e.tx_id < 0 || e.tx_id == current_tx) continue;
    if (current_tx >= 0) finished_tx.insert(current_tx);
    EXPECT_EQ(finished_tx.count(e.tx_id), 0u) << "transaction " << e.tx_id << " interleaved";
    current_tx = e.tx_id;
  }
  std::cout << "commits=" << commits << " rollbacks=" << rollbacks << " changes=" << changes
            << " keys=" << table.size() << " seconds=" << SecondsSince(start) << "\n";
}

TEST_F(PostgresPipelineTest, SigkillDuringSnapshotAndStreamingLosesNothing) {
  constexpr int64_t kRows = 50000;
  constexpr int64_t kUntouched = 40000;  // keys 1..kUntouched are never written by the workload
  const auto start = Clock::now();
  CreateTable(kRows);
  Sql("ANALYZE t");
  // Paced, so that the snapshot spans several lives (unpaced it takes ~0.1 s here).
  PipelineOptions options;
  options.chunk_rows = 500;
  options.events_per_second = 15000;
  const std::string yaml = WritePipeline(options);
  std::mt19937_64 rng(std::random_device{}());
  const auto source_finished_snapshots = [&] {
    const std::string log = ReadFile(dir_ / "stderr");
    int n = 0;
    for (size_t at = 0; (at = log.find("snapshot done:", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  const auto snapshot_done = [&] {
    for (const Event& e : ReadEvents(Output())) {
      if (e.snapshot == "last") return true;
    }
    return false;
  };
  const auto kill = [&](std::unique_ptr<BackgroundProcess>& p) {
    ASSERT_TRUE(p->Running()) << "the pipeline exited by itself\n" << Log();
    p->Signal(SIGKILL);
    const ProcessResult r = p->Wait(seconds(10));
    EXPECT_EQ(r.signal, SIGKILL);
    p.reset();
  };
  // Writers on the snapshot's last 10,000 keys and 500 new ones, from the moment the slot has
  // its consistent point (every later commit is in the stream) until the end: the snapshot is
  // resumed while rows ahead of it change.
  std::unique_ptr<Workload> workload;
  const auto start_workload_once_the_slot_is_ready = [&] {
    if (!workload && Slot("confirmed_flush_lsn IS NOT NULL") == "t") {
      workload = std::make_unique<Workload>(*server_, db_, 4, kUntouched + 1,
                                            kRows - kUntouched + 500, 11);
    }
  };
  const auto live = [&](milliseconds how_long) {
    const auto until = Clock::now() + how_long;
    while (Clock::now() < until) {
      start_workload_once_the_slot_is_ready();
      std::this_thread::sleep_for(milliseconds(5));
    }
  };

  // During the snapshot: the first life dies at a random instant of its start (setup, slot
  // creation), the others at a random point of the read / produce / checkpoint cycle. A kill
  // counts when the source had not finished reading the snapshot.
  int snapshot_kills = 0;
  for (int life = 0; life < 12 && snapshot_kills < 4; ++life) {
    auto p = StartPipeline(yaml);
    const bool first = life == 0;
    live(milliseconds(std::uniform_int_distribution<int>(first ? 10 : 300, first ? 150 : 700)(rng)));
    ASSERT_NO_FATAL_FAILURE(kill(p));
    if (source_finished_snapshots() > 0) break;
    ++snapshot_kills;
  }
  EXPECT_GE(snapshot_kills, 3) << "the snapshot finished too quickly to be killed 3 times";
  const double snapshot_seconds = SecondsSince(start);

  // During streaming, with the writers running: each life dies at a random moment.
  auto p = StartPipeline(yaml);
  ASSERT_TRUE(WaitUntil(
      [&] {
        start_workload_once_the_slot_is_ready();
        return workload && snapshot_done();
      },
      seconds(30)))
      << Log();
  int stream_kills = 0;
  for (; stream_kills < 3; ++stream_kills) {
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(300, 1200)(rng)));
    ASSERT_NO_FATAL_FAILURE(kill(p));
    p = StartPipeline(yaml);
  }
  std::this_thread::sleep_for(milliseconds(500));
  workload->Stop();
  EXPECT_TRUE(workload->errors().empty()) << workload->errors().front();
  const std::set<int64_t> committed = workload->committed_versions();
  const int64_t committed_changes = static_cast<int64_t>(committed.size()) +
                                    workload->committed_deletes();
  const TableState table = ReadTable();
  ASSERT_TRUE(CatchesUp(table, seconds(40)));
  StopPipeline(*p);

  const auto events = ReadEvents(Output());
  std::vector<bool> snapshot_row(kRows + 1, false), seen(kRows + 1, false);
  std::set<int64_t> captured_versions;
  int64_t read_events = 0;
  for (const Event& e : events) {
    if (e.id >= 1 && e.id <= kRows) {
      seen[e.id] = true;
      if (e.op == 'r' && e.version == e.id) snapshot_row[e.id] = true;
    }
    if (e.op == 'c' || e.op == 'u') captured_versions.insert(e.version);
    read_events += e.op == 'r';
  }
  int64_t missing_untouched = 0, missing_keys = 0;
  for (int64_t id = 1; id <= kRows; ++id) {
    missing_untouched += id <= kUntouched && !snapshot_row[id];
    missing_keys += !seen[id];
  }
  EXPECT_EQ(missing_untouched, 0) << "rows never written to, missing from the snapshot";
  EXPECT_EQ(missing_keys, 0) << "rows of the table before the start that no event names";
  std::vector<int64_t> lost;
  std::set_difference(committed.begin(), committed.end(), captured_versions.begin(),
                      captured_versions.end(), std::back_inserter(lost));
  EXPECT_TRUE(lost.empty()) << lost.size() << " committed writes lost, e.g. version "
                            << (lost.empty() ? 0 : lost.front());
  // The kills landed mid-snapshot after a snapshot checkpoint, so the resume path ran.
  const std::string log = ReadFile(dir_ / "stderr");
  int snapshot_resumes = 0;
  for (size_t at = 0; (at = log.find("resuming from checkpoint", at)) != std::string::npos; ++at) {
    const size_t eol = log.find('\n', at);
    snapshot_resumes += log.substr(at, eol - at).find("\"snapshot\":{") != std::string::npos;
  }
  EXPECT_GE(snapshot_resumes, 1) << Tail(log);
  const int64_t change_events = static_cast<int64_t>(events.size()) - read_events;
  std::cout << "snapshot_kills=" << snapshot_kills << " (resumed mid-snapshot "
            << snapshot_resumes << "x) stream_kills=" << stream_kills << " snapshot: rows=" << kRows
            << " events=" << read_events << " changes: committed=" << committed_changes
            << " events=" << change_events << " snapshot_seconds=" << snapshot_seconds
            << " seconds=" << SecondsSince(start) << "\n";
}

TEST_F(PostgresPipelineTest, PostgresRestartMidStream) {
  const auto start = Clock::now();
  CreateTable(0);
  auto p = StartPipeline(WritePipeline());
  const auto insert = [&](int64_t from, int64_t to) {
    for (int64_t id = from; id <= to; id += 10) {
      Sql("INSERT INTO t SELECT g, nextval('t_version'), 'x' || g FROM generate_series(" +
          std::to_string(id) + ", " + std::to_string(std::min(id + 9, to)) + ") g");
    }
  };
  ASSERT_TRUE(WaitUntil([&] { return Slot("active") == "t"; }, seconds(20))) << Log();
  insert(1, 100);
  ASSERT_TRUE(WaitUntil([&] { return ReadEvents(Output()).size() >= 100; }, seconds(20))) << Log();
  insert(101, 200);  // committed; some may still be on their way when the server stops
  ASSERT_TRUE(server_->Stop());
  std::this_thread::sleep_for(milliseconds(500));
  ASSERT_TRUE(server_->StartAgain()) << server_->Log();
  const auto restarted = Clock::now();
  ASSERT_TRUE(p->Running()) << "the pipeline exited when the server went away\n" << Log();
  insert(201, 300);
  const TableState table = ReadTable();
  ASSERT_EQ(table.size(), 300u);
  const std::string wal_end = server_->QueryValue("SELECT pg_current_wal_lsn()");
  ASSERT_TRUE(CatchesUp(table, seconds(40)));
  const double recovery_seconds = SecondsSince(restarted);
  // The slot follows on the new connection: acknowledgements (and heartbeats) reach the server.
  EXPECT_TRUE(WaitUntil(
      [&] { return Slot("confirmed_flush_lsn >= '" + wal_end + "'") == "t"; }, seconds(15)))
      << "confirmed_flush_lsn stays behind " << wal_end << "\n" << Log();
  EXPECT_TRUE(p->Running()) << Log();
  StopPipeline(*p);
  const std::string log = ReadFile(dir_ / "stderr");
  EXPECT_NE(log.find("retriable failure"), std::string::npos) << Tail(log);
  EXPECT_EQ(log.find("fatal failure"), std::string::npos) << Tail(log);
  std::cout << "events=" << ReadEvents(Output()).size() << " caught_up_after_restart="
            << recovery_seconds << "s seconds=" << SecondsSince(start) << "\n";
}

TEST_F(PostgresPipelineTlsTest, TlsVerifyFull) {
  const auto start = Clock::now();
  CreateTable(10);
  PipelineOptions verify_full;
  verify_full.tls_mode = "verify-full";
  verify_full.ca_path = server_->ca_path();
  const std::string yaml = WritePipeline(verify_full);
  for (const std::string host : {"127.0.0.1", "localhost"}) {  // both in the certificate's SANs
    PipelineOptions o = verify_full;
    o.host = host;
    const ProcessResult r =
        Command("check", WritePipeline(o, "check-" + host + ".yaml"), {"--source", "pg"});
    EXPECT_EQ(r.exit_code, 0) << host << "\n" << r.out << r.err;
  }

  // A CA that did not sign the server's certificate.
  std::string error;
  const auto other = TestCa::Make({}, &error);
  ASSERT_NE(other, nullptr) << error;
  PipelineOptions wrong_ca = verify_full;
  wrong_ca.ca_path = other->ca_path();
  const ProcessResult refused = Command("check", WritePipeline(wrong_ca, "wrong-ca.yaml"));
  EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("certificate verify failed"), std::string::npos)
      << refused.out << refused.err;

  auto p = StartPipeline(yaml);
  ASSERT_TRUE(WaitUntil([&] { return ReadEvents(Output()).size() >= 10; }, seconds(20))) << Log();
  Sql("UPDATE t SET version = nextval('t_version'), val = 'over tls' WHERE id <= 3; "
      "DELETE FROM t WHERE id = 10");
  ASSERT_TRUE(CatchesUp(ReadTable(), seconds(20)));
  // Every connection of `rivven` (the snapshot/SQL one and the walsender) uses TLS.
  const std::string rivven_connections =
      "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'rivven'";
  EXPECT_GE(std::stoi("0" + server_->QueryValue("SELECT count(*) " + rivven_connections)), 2);
  EXPECT_EQ(server_->QueryValue("SELECT count(*) " + rivven_connections + " AND NOT s.ssl"), "0");
  StopPipeline(*p);
  std::cout << "seconds=" << SecondsSince(start) << "\n";
}

// The server's certificate and key are swapped (and restored) for a test CA's certificate that
// names only DNS:localhost.
TEST_F(PostgresPipelineTlsTest, TlsVerifyFullRejectsAHostNameOutsideTheCertificate) {
  CreateTable(1);
  std::string error;
  const auto ca = TestCa::Make({}, &error);
  ASSERT_NE(ca, nullptr) << error;
  ASSERT_EQ(ca->Issue("localhost-only", "DNS:localhost"), "");
  const std::string tls = server_->dir() + "/tls";
  const std::string original_cert = ReadFile(tls + "/server.crt");
  const std::string original_key = ReadFile(tls + "/server.key");
  // Opened while the certificate still matches 127.0.0.1: it reloads the server afterwards too.
  const auto admin = server_->Connect();
  // Rewritten in place: the key keeps the owner and mode the server needs.
  const auto serve = [&](const std::string& certificate, const std::string& key) {
    WriteFile(tls + "/server.crt", certificate);
    WriteFile(tls + "/server.key", key);
    auto reloaded = admin->Exec("SELECT pg_reload_conf()");
    ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
    std::this_thread::sleep_for(milliseconds(500));  // the postmaster reloads asynchronously
  };
  ASSERT_NO_FATAL_FAILURE(serve(ReadFile(ca->dir() + "/localhost-only.crt"),
                                ReadFile(ca->dir() + "/localhost-only.key")));

  const auto check = [&](const std::string& host, const std::string& mode,
                         const std::string& ca_path) {
    PipelineOptions o;
    o.host = host;
    o.tls_mode = mode;
    o.ca_path = ca_path;
    return Command("check", WritePipeline(o, host + "-" + mode + ".yaml"), {"--source", "pg"});
  };
  const ProcessResult by_ip = check("127.0.0.1", "verify-full", ca->ca_path());
  const ProcessResult by_name = check("localhost", "verify-full", ca->ca_path());
  const ProcessResult ca_only = check("127.0.0.1", "verify-ca", ca->ca_path());
  serve(original_cert, original_key);
  EXPECT_NE(by_ip.exit_code, 0) << by_ip.out << by_ip.err;
  EXPECT_NE((by_ip.out + by_ip.err).find("does not match host name \"127.0.0.1\""),
            std::string::npos)
      << by_ip.out << by_ip.err;
  EXPECT_EQ(by_name.exit_code, 0) << by_name.out << by_name.err;
  EXPECT_EQ(ca_only.exit_code, 0) << ca_only.out << ca_only.err;
  EXPECT_EQ(check("127.0.0.1", "verify-full", server_->ca_path()).exit_code, 0)
      << "the original certificate is back";
}

}  // namespace
}  // namespace rivven::testing
