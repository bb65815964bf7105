#pragma once

// Shared by the postgres-cdc whole-binary tests (postgres_pipeline_test.cc): reading the output
// file's change events, replaying them into a table state, a concurrent writer workload, and a
// fixture that starts one server per suite and pipelines per test.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "clients/pg/pg_connection.h"
#include "support/change_events.h"
#include "support/postgres_server.h"
#include "support/process.h"

namespace rivven::testing {

/// Client threads running many small transactions of random inserts, updates and deletes on
/// keys [first_key, first_key + keys). Each transaction takes its 1-3 keys under
/// transaction-scoped advisory locks (in key order) and only then draws new versions from the
/// sequence t_version, so the versions of one key grow in commit order. About 5% of the
/// transactions roll back. Owned by one test; Stop() joins the threads.
class Workload {
 public:
  Workload(const PostgresServer& server, std::string db, int threads, int64_t first_key,
           int64_t keys, uint64_t seed)
      : server_(server), db_(std::move(db)), first_key_(first_key), keys_(keys) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, seed, i] { Client(seed * 1000 + static_cast<uint64_t>(i)); });
    }
  }
  ~Workload() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  int64_t commits() const { return commits_; }
  int64_t committed_deletes() const { return committed_deletes_; }
  int64_t rollbacks() const { return rollbacks_; }
  /// Versions written by committed transactions.
  std::set<int64_t> committed_versions() const {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  void Client(uint64_t seed) {
    auto conn = pg::Connection::Open(server_.Params(db_));
    if (!conn.ok()) {
      Error(conn.status().ToString());
      return;
    }
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> key(first_key_, first_key_ + keys_ - 1);
    std::uniform_int_distribution<int> percent(0, 99), count(1, 3);
    while (!stop_) {
      std::set<int64_t> keys;
      for (int n = count(rng); static_cast<int>(keys.size()) < n;) keys.insert(key(rng));
      std::vector<int64_t> versions;
      int64_t deletes = 0;
      std::string failure;
      auto run = [&](const std::string& sql, std::vector<std::optional<std::string>> params)
          -> std::optional<pg::QueryResult> {
        if (!failure.empty()) return std::nullopt;
        auto r = (*conn)->ExecParams(sql, params);
        if (!r.ok()) {
          failure = sql + ": " + r.status().ToString();
          return std::nullopt;
        }
        return std::move(r).value();
      };
      run("BEGIN", {});
      for (int64_t k : keys) run("SELECT pg_advisory_xact_lock($1::int8)", {std::to_string(k)});
      for (int64_t k : keys) {
        const std::string id = std::to_string(k);
        std::string val = "v";
        val += std::to_string(rng() % 1000000);
        auto exists = run("SELECT 1 FROM t WHERE id = $1::int8", {id});
        if (!exists) break;
        std::optional<pg::QueryResult> written;
        if (exists->rows() == 0) {
          written = run("INSERT INTO t VALUES ($1::int8, nextval('t_version'), $2) "
                        "RETURNING version",
                        {id, val});
        } else if (percent(rng) < 70) {
          written = run("UPDATE t SET version = nextval('t_version'), val = $2 "
                        "WHERE id = $1::int8 RETURNING version",
                        {id, val});
        } else {
          if (run("DELETE FROM t WHERE id = $1::int8", {id})) ++deletes;
        }
        if (written && written->rows() == 1) {
          versions.push_back(std::stoll(std::string(written->get(0, 0))));
        }
      }
      const bool rollback = !failure.empty() || percent(rng) < 5;
      auto end = (*conn)->Exec(rollback ? "ROLLBACK" : "COMMIT");
      if (!failure.empty()) Error(failure);
      if (!end.ok()) {
        Error(end.status().ToString());
        continue;
      }
      if (rollback) {
        ++rollbacks_;
      } else {
        ++commits_;
        std::lock_guard<std::mutex> lock(mu_);
        committed_deletes_ += deletes;
        committed_.insert(versions.begin(), versions.end());
      }
    }
  }

  void Error(const std::string& e) {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back(e);
  }

  const PostgresServer& server_;
  const std::string db_;
  const int64_t first_key_, keys_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> commits_{0}, rollbacks_{0}, committed_deletes_{0};
  mutable std::mutex mu_;
  std::set<int64_t> committed_;
  std::vector<std::string> errors_;
  std::vector<std::thread> threads_;
};

/// Settings of the pipeline file a test writes.
struct PipelineOptions {
  std::string host;  ///< default: the server's address
  std::string tls_mode = "disable";
  std::string ca_path;
  int chunk_rows = 10000;
  int events_per_second = 0;  ///< the source's rate_limit; 0: none
};

/// One server per suite (plain or TLS); per test a database, slot and publication named after
/// the test, a temp dir for the pipeline file, the broker data and the sink's output.
template <bool kTls>
class PipelineFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (PostgresServer::Available() && !server_) {
      server_ = PostgresServer::Start({.tls = kTls}, &start_error_);
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(PostgresServer::Available())
        << "PostgreSQL 15 is not installed: run scripts/install-deps.sh";
    ASSERT_NE(server_, nullptr) << start_error_;
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
    name = "pipe_" + name.substr(0, 40);
    db_ = "db_" + name;
    slot_ = "slot_" + name;
    publication_ = "pub_" + name;
    DropSlot();
    server_->Exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
    ASSERT_EQ(server_->Exec("CREATE DATABASE " + db_), "");
  }

  void TearDown() override { DropSlot(); }

  /// `what` of this test's replication slot ("" when there is no slot).
  std::string Slot(const std::string& what) const {
    return server_->QueryValue("SELECT " + what + " FROM pg_replication_slots WHERE slot_name = '" +
                               slot_ + "'");
  }

  /// The slot keeps WAL until dropped; a killed pipeline's walsender may hold it for a moment.
  void DropSlot() const {
    WaitUntil(
        [&] {
          (void)Slot("pg_drop_replication_slot(slot_name)");
          return Slot("1").empty();
        },
        seconds(10));
  }

  void Sql(const std::string& sql) const { ASSERT_EQ(server_->Exec(sql, db_), "") << sql; }

  /// t(id, version, val) with the sequence t_version; rows 1..rows with version = id (the
  /// sequence goes on after them); the publication is created by the superuser and `rivven`
  /// may read the table.
  void CreateTable(int64_t rows) const {
    Sql("CREATE SEQUENCE t_version; "
        "CREATE TABLE t (id int8 PRIMARY KEY, version int8 NOT NULL, val text NOT NULL); "
        "INSERT INTO t SELECT g, g, md5(g::text) FROM generate_series(1, " +
        std::to_string(rows) + ") g; "
        "SELECT setval('t_version', " + std::to_string(std::max<int64_t>(rows, 1)) + "); "
        "GRANT SELECT ON t TO rivven; "
        "CREATE PUBLICATION " + publication_ + " FOR TABLE t");
  }

  TableState ReadTable() const {
    TableState state;
    auto conn = server_->Connect(db_);
    auto r = conn->Exec("SELECT id, version, val FROM t");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return state;
    for (int i = 0; i < r->rows(); ++i) {
      state[std::stoll(std::string(r->get(i, 0)))] =
          RowText(std::stoll(std::string(r->get(i, 1))), std::string(r->get(i, 2)));
    }
    return state;
  }

  std::string Yaml(const PipelineOptions& o) const {
    std::string tls = "{mode: " + o.tls_mode;
    if (!o.ca_path.empty()) tls += ", ca_path: " + o.ca_path;
    tls += "}";
    const std::string rate_limit =
        o.events_per_second == 0
            ? ""
            : "    rate_limit: {events_per_second: " + std::to_string(o.events_per_second) + "}\n";
    return "broker:\n"
           "  data_dir: " + dir_ / "data" + "\n"
           "settings:\n"
           "  shutdown_timeout_ms: 10000\n"
           "sources:\n"
           "  pg:\n"
           "    connector: postgres-cdc\n"
           "    topic: changes\n" +
           rate_limit +
           "    config:\n"
           "      host: " + (o.host.empty() ? server_->host() : o.host) + "\n"
           "      port: " + std::to_string(server_->port()) + "\n"
           "      database: " + db_ + "\n"
           "      user: rivven\n"
           "      password: rivven-secret\n"
           "      slot_name: " + slot_ + "\n"
           "      publication_name: " + publication_ + "\n"
           "      publication_tables: [public.t]\n"
           "      heartbeat_interval_ms: 1000\n"
           "      status_interval_ms: 1000\n"
           "      snapshot: {chunk_rows: " + std::to_string(o.chunk_rows) + "}\n"
           "      tls: " + tls + "\n"
           "sinks:\n"
           "  out: {connector: file, topics: [changes], config: {path: " + dir_ / "out" + "}}\n";
  }

  std::string WritePipeline(const PipelineOptions& o = {}, const std::string& name = "p.yaml") {
    WriteFile(dir_ / name, Yaml(o));
    return dir_ / name;
  }

  ProcessResult Command(const std::string& command, const std::string& yaml,
                        std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {BinaryPath(), command, "-c", yaml};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessOptions options;
    options.timeout = seconds(30);
    return RunProcess(argv, options);
  }

  std::unique_ptr<BackgroundProcess> StartPipeline(const std::string& yaml) const {
    return std::make_unique<BackgroundProcess>(
        std::vector<std::string>{BinaryPath(), "run", "-c", yaml}, ProcessOptions{},
        dir_ / "stdout", dir_ / "stderr");
  }

  /// SIGTERM drains; the run must end cleanly.
  void StopPipeline(BackgroundProcess& p) const {
    p.Signal(SIGTERM);
    const ProcessResult r = p.Wait(seconds(20));
    EXPECT_EQ(r.exit_code, 0) << "signal " << r.signal << "\n" << Log();
  }

  std::string Output() const { return dir_ / "out/changes.jsonl"; }
  std::string Log() const { return Tail(ReadFile(dir_ / "stderr")); }

  /// Waits until the captured state equals the table (which no longer changes).
  ::testing::AssertionResult CatchesUp(const TableState& table, Clock::duration timeout) const {
    TableState captured;
    if (WaitUntil([&] { return (captured = Replay(ReadEvents(Output()))) == table; }, timeout)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "captured state differs from the table (" << captured.size() << " vs "
           << table.size() << " keys):\n" << Difference(captured, table) << Log();
  }

  TempDir dir_;
  std::string db_, slot_, publication_;
  static std::unique_ptr<PostgresServer> server_;
  static std::string start_error_;
};

template <bool kTls>
std::unique_ptr<PostgresServer> PipelineFixture<kTls>::server_;
template <bool kTls>
std::string PipelineFixture<kTls>::start_error_;

}  // namespace rivven::testing
