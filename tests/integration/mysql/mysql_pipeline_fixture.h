#pragma once

// Shared by the mysql-cdc whole-binary tests: a concurrent writer workload on
// t(id BIGINT PRIMARY KEY, version BIGINT, val VARCHAR(64)), and a fixture that starts one
// MariaDB per suite and, per test, a database, a pipeline file and the binary.
#include <signal.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/change_events.h"
#include "support/mariadb_server.h"
#include "support/process.h"

namespace rivven::testing {

/// Client threads running small transactions of random inserts, updates and deletes on keys
/// [0, keys) of `db`.t. Each transaction locks its 1-3 keys' rows of t_lock in key order first,
/// and then draws versions from the AUTO_INCREMENT table t_version, so the versions of a key
/// grow in commit order. About 5% roll back.
class MysqlWorkload {
 public:
  MysqlWorkload(const MariadbServer& server, std::string db, int threads, int64_t keys,
                uint64_t seed);
  ~MysqlWorkload() { Stop(); }
  void Stop();
  int64_t commits() const { return commits_; }
  std::set<int64_t> committed_versions() const;
  std::vector<std::string> errors() const;

 private:
  void Client(uint64_t seed);
  void Error(const std::string& e);

  const MariadbServer& server_;
  const std::string db_;
  const int64_t keys_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> commits_{0};
  mutable std::mutex mu_;
  std::set<int64_t> committed_;
  std::vector<std::string> errors_;
  std::vector<std::thread> threads_;
};

class MysqlPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override;
  void TearDown() override { Stop(); }

  /// Creates `db_`.t (and the workload's helper tables) with `rows` rows (version = id).
  void CreateTable(int64_t rows);
  /// Writes the pipeline file: mysql-cdc on db_ → embedded topic → file sink.
  void WriteConfig(const std::string& snapshot_mode = "initial", int chunk_rows = 1000,
                   const std::string& extra = "", const std::string& tables = "[t]");
  /// Starts the binary on the pipeline file (stdout/stderr to the temp dir).
  void Start();
  /// SIGTERM (clean) or SIGKILL, and wait.
  void Stop(int sig = SIGTERM);
  std::string output() const { return dir_ / "out/cdc.jsonl"; }
  std::vector<Event> Events() const { return ReadEvents(output()); }
  /// Waits until the output has at least `n` events (bounded); false on timeout.
  bool WaitForEvents(size_t n, Clock::duration timeout = seconds(60));
  /// The table as the checks compare it.
  TableState Table() const;
  /// Waits until replaying the output gives the table's state (bounded).
  bool WaitForTableState(Clock::duration timeout = seconds(60));
  std::string Logs() const;

  static std::unique_ptr<MariadbServer> server_;
  static std::string start_error_;
  std::string db_;
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace rivven::testing
