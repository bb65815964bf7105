#include "mysql_pipeline_fixture.h"

#include <algorithm>
#include <cctype>
#include <random>

namespace rivven::testing {

std::unique_ptr<MariadbServer> MysqlPipelineTest::server_;
std::string MysqlPipelineTest::start_error_;

MysqlWorkload::MysqlWorkload(const MariadbServer& server, std::string db, int threads,
                             int64_t keys, uint64_t seed)
    : server_(server), db_(std::move(db)), keys_(keys) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, seed, i] { Client(seed * 1000 + static_cast<uint64_t>(i)); });
  }
}

void MysqlWorkload::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::set<int64_t> MysqlWorkload::committed_versions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

std::vector<std::string> MysqlWorkload::errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_;
}

void MysqlWorkload::Error(const std::string& e) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.push_back(e);
}

void MysqlWorkload::Client(uint64_t seed) {
  auto conn = mysql::Connection::Open(server_.RootParams(db_));
  if (!conn.ok()) {
    Error(conn.status().ToString());
    return;
  }
  mysql::Connection& c = **conn;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> key(0, keys_ - 1);
  std::uniform_int_distribution<int> percent(0, 99), count(1, 3);
  while (!stop_) {
    std::set<int64_t> keys;
    for (int n = count(rng); static_cast<int>(keys.size()) < n;) keys.insert(key(rng));
    std::vector<int64_t> versions;
    std::string failure;
    const auto exec = [&](const std::string& sql) {
      if (!failure.empty()) return false;
      Status s = c.Exec(sql);
      if (!s.ok()) failure = sql + ": " + s.ToString();
      return s.ok();
    };
    exec("START TRANSACTION");
    for (int64_t k : keys) exec("SELECT id FROM t_lock WHERE id = " + std::to_string(k) + " FOR UPDATE");
    for (int64_t k : keys) {
      if (!failure.empty()) break;
      const std::string id = std::to_string(k);
      auto exists = c.Query("SELECT 1 FROM t WHERE id = " + id);
      if (!exists.ok()) {
        failure = exists.status().ToString();
        break;
      }
      const bool present = exists->rows() > 0;
      if (present && percent(rng) >= 70) {
        exec("DELETE FROM t WHERE id = " + id);
        continue;
      }
      if (!exec("INSERT INTO t_version VALUES ()")) break;
      auto v = c.Query("SELECT LAST_INSERT_ID()");
      if (!v.ok()) {
        failure = v.status().ToString();
        break;
      }
      const std::string version(v->Value(0, 0).value_or("0"));
      const std::string val = "v" + std::to_string(rng() % 1000000);
      if (present) {
        exec("UPDATE t SET version = " + version + ", val = '" + val + "' WHERE id = " + id);
      } else {
        exec("INSERT INTO t VALUES (" + id + ", " + version + ", '" + val + "')");
      }
      versions.push_back(std::stoll(version));
    }
    const bool rollback = !failure.empty() || percent(rng) < 5;
    Status end = c.Exec(rollback ? "ROLLBACK" : "COMMIT");
    if (!failure.empty()) Error(failure);
    if (!end.ok()) {
      Error(end.ToString());
      continue;
    }
    if (!rollback) {
      ++commits_;
      std::lock_guard<std::mutex> lock(mu_);
      committed_.insert(versions.begin(), versions.end());
    }
  }
}

void MysqlPipelineTest::SetUpTestSuite() {
  if (MariadbServer::Available() && !server_) server_ = MariadbServer::Start({}, &start_error_);
}

void MysqlPipelineTest::SetUp() {
  ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run scripts/install-deps.sh";
  ASSERT_NE(server_, nullptr) << start_error_;
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
  db_ = "db_" + name.substr(0, 48);
  ASSERT_EQ(server_->Exec("DROP DATABASE IF EXISTS " + db_ + "; CREATE DATABASE " + db_), "");
}

void MysqlPipelineTest::CreateTable(int64_t rows) {
  std::string sql =
      "CREATE TABLE t (id BIGINT PRIMARY KEY, version BIGINT NOT NULL, val VARCHAR(64));"
      "CREATE TABLE t_lock (id BIGINT PRIMARY KEY);"
      "CREATE TABLE t_version (v BIGINT AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 1000000;"
      "INSERT INTO t_lock SELECT seq FROM seq_0_to_29999;";
  if (rows > 0) {
    sql += "INSERT INTO t SELECT seq, seq, CONCAT('row', seq) FROM seq_0_to_" +
           std::to_string(rows - 1) + ";";
  }
  ASSERT_EQ(server_->Exec(sql, db_), "");
}

void MysqlPipelineTest::WriteConfig(const std::string& snapshot_mode, int chunk_rows,
                                    const std::string& extra, const std::string& tables) {
  WriteFile(dir_ / "p.yaml",
            "broker: {data_dir: " + (dir_ / "data") + "}\n"
            "sources:\n"
            "  my:\n"
            "    connector: mysql-cdc\n"
            "    topic: cdc\n"
            "    config:\n"
            "      host: 127.0.0.1\n"
            "      port: " + std::to_string(server_->port()) + "\n"
            "      database: " + db_ + "\n"
            "      user: rivven\n"
            "      password: rivven-secret\n"
            "      server_id: 4242\n"
            "      tables: " + tables + "\n"
            "      ssl_mode: disabled\n"
            "      heartbeat_interval_ms: 500\n"
            "      snapshot: {mode: " + snapshot_mode + ", chunk_rows: " + std::to_string(chunk_rows) + "}\n" +
            extra +
            "sinks:\n"
            "  out: {connector: file, topics: [cdc], config: {path: " + (dir_ / "out") + "}}\n");
}

void MysqlPipelineTest::Start() {
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{BinaryPath(), "run", "-c", dir_ / "p.yaml", "--log-level", "info"},
      ProcessOptions{}, dir_ / "stdout.log", dir_ / "stderr.log");
}

void MysqlPipelineTest::Stop(int sig) {
  if (!process_) return;
  if (process_->Running()) {
    process_->Signal(sig);
    process_->Wait(milliseconds(30000));
  }
  process_.reset();
}

bool MysqlPipelineTest::WaitForEvents(size_t n, Clock::duration timeout) {
  return WaitUntil([&] { return ReadEvents(output()).size() >= n; }, timeout);
}

TableState MysqlPipelineTest::Table() const {
  auto conn = server_->Connect(db_);
  TableState state;
  auto rows = conn->Query("SELECT id, version, val FROM t");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return state;
  for (size_t i = 0; i < rows->rows(); ++i) {
    state[std::stoll(std::string(*rows->Value(i, 0)))] =
        RowText(std::stoll(std::string(*rows->Value(i, 1))), std::string(rows->Value(i, 2).value_or("")));
  }
  return state;
}

bool MysqlPipelineTest::WaitForTableState(Clock::duration timeout) {
  const TableState table = Table();
  return WaitUntil([&] { return Replay(ReadEvents(output())) == table; }, timeout);
}

std::string MysqlPipelineTest::Logs() const {
  return Tail(ReadFile(dir_ / "stderr.log") + ReadFile(dir_ / "stdout.log"));
}

}  // namespace rivven::testing
