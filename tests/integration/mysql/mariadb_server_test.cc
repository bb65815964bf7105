// The MariaDB test server itself (scripts/testenv/mariadb.sh via MariadbServer): what every
// other test in this folder relies on.
#include "support/mariadb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "clients/mysql/mysql_error.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

/// Whether a process exists and is not a zombie waiting for its parent.
bool Alive(int pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

/// A loopback port nobody listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

class MariadbServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (MariadbServer::Available()) server_ = MariadbServer::Start({}, &start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run install-deps.sh";
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  static std::unique_ptr<MariadbServer> server_;
  static std::string start_error_;
};

std::unique_ptr<MariadbServer> MariadbServerTest::server_;
std::string MariadbServerTest::start_error_;

TEST_F(MariadbServerTest, StartsWithARowBinlogOnLoopback) {
  EXPECT_EQ(server_->host(), "127.0.0.1");
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->QueryValue("SELECT @@log_bin"), "1");
  EXPECT_EQ(server_->QueryValue("SELECT @@binlog_format"), "ROW");
  EXPECT_EQ(server_->QueryValue("SELECT @@binlog_row_image"), "FULL");
  EXPECT_EQ(server_->QueryValue("SELECT @@binlog_row_metadata"), "FULL");
  EXPECT_EQ(server_->QueryValue("SELECT @@binlog_checksum"), "CRC32");
  EXPECT_EQ(server_->QueryValue("SELECT @@server_id"), "1");
  EXPECT_EQ(server_->QueryValue("SELECT @@bind_address"), "127.0.0.1");
  EXPECT_EQ(server_->QueryValue("SELECT @@port"), std::to_string(server_->port()));
  EXPECT_EQ(server_->QueryValue("SELECT @@character_set_server"), "utf8mb4");
  EXPECT_EQ(server_->QueryValue("SELECT @@innodb_flush_log_at_trx_commit"), "2");
  EXPECT_EQ(server_->QueryValue("SELECT @@have_ssl"), "DISABLED");
  EXPECT_EQ(server_->QueryValue("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                                "WHERE SCHEMA_NAME = 'rivven_test'"),
            "rivven_test");
  const std::string log_bin = server_->QueryValue("SELECT @@log_bin_basename");
  EXPECT_EQ(log_bin, server_->binlog_dir() + "/mysql-bin");
  const std::string file = server_->QueryValue("SHOW MASTER STATUS");
  EXPECT_TRUE(std::filesystem::exists(server_->binlog_dir() + "/" + file)) << file;
  EXPECT_EQ(server_->ca_path(), "");
}

TEST_F(MariadbServerTest, ExecAndQueryValueReportErrors) {
  EXPECT_EQ(server_->Exec("CREATE TABLE probe (id INT PRIMARY KEY); INSERT INTO probe VALUES (1)",
                          "rivven_test"),
            "");
  EXPECT_EQ(server_->QueryValue("SELECT COUNT(*) FROM probe", "rivven_test"), "1");
  EXPECT_NE(server_->Exec("SELECT * FROM no_such_table", "rivven_test").find("1146"),
            std::string::npos);
  EXPECT_EQ(server_->QueryValue("SELECT 1 FROM DUAL WHERE FALSE"), "");
}

TEST_F(MariadbServerTest, RivvenHasWhatACdcSourceNeedsAndNoMore) {
  const std::string grants = server_->QueryValue("SHOW GRANTS FOR 'rivven'@'%'");
  for (const char* privilege :
       {"SELECT", "RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "BINLOG MONITOR"}) {
    EXPECT_NE(grants.find(privilege), std::string::npos) << privilege << " in " << grants;
  }
  auto conn = mysql::Connection::Open(server_->RivvenParams());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  for (const char* sql : {"SHOW MASTER STATUS", "SHOW BINLOG STATUS", "SHOW BINARY LOGS",
                          "SELECT @@global.gtid_binlog_pos", "SHOW DATABASES"}) {
    auto r = (*conn)->Query(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    EXPECT_GE(r->rows(), 1u) << sql;
  }
  EXPECT_TRUE((*conn)->Exec("FLUSH BINARY LOGS").ok());
  // Purging is root's: it needs BINLOG ADMIN.
  const Status purge = (*conn)->Exec("PURGE BINARY LOGS BEFORE NOW()");
  EXPECT_EQ(mysql::ErrorNumber(purge), 1227u) << purge.ToString();
  EXPECT_EQ(mysql::ErrorNumber((*conn)->Exec("CREATE TABLE rivven_test.nope (id INT)")), 1142u);
}

TEST_F(MariadbServerTest, StopAndStartAgainKeepPortAndData) {
  ASSERT_EQ(server_->Exec("CREATE TABLE kept (id INT PRIMARY KEY); INSERT INTO kept VALUES (42)",
                          "rivven_test"),
            "");
  ASSERT_TRUE(server_->Stop());
  auto down = mysql::Connection::Open(server_->RivvenParams());
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(down.status().retriable()) << down.status().ToString();
  EXPECT_TRUE(server_->Stop());  // stopping a stopped server is fine

  ASSERT_TRUE(server_->StartAgain()) << server_->Log();
  EXPECT_EQ(server_->QueryValue("SELECT id FROM kept", "rivven_test"), "42");
  EXPECT_EQ(server_->QueryValue("SELECT @@port"), std::to_string(server_->port()));

  const std::string before = server_->QueryValue("SHOW MASTER STATUS");
  ASSERT_TRUE(server_->Restart()) << server_->Log();
  EXPECT_EQ(server_->QueryValue("SELECT id FROM kept", "rivven_test"), "42");
  // Every start opens a new binlog file.
  EXPECT_NE(server_->QueryValue("SHOW MASTER STATUS"), before);
}

TEST(MariadbServerLifecycleTest, TlsServerHasCertificatesAndDirGoesAway) {
  ASSERT_TRUE(MariadbServer::Available());
  std::string error;
  MariadbServer::Options options;
  options.tls = true;
  auto server = MariadbServer::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string dir = server->dir();
  for (const std::string& f : {server->ca_path(), server->server_cert_path(),
                               server->client_cert_path(), server->client_key_path()}) {
    EXPECT_TRUE(std::filesystem::exists(f)) << f;
  }
  EXPECT_EQ(server->QueryValue("SELECT @@have_ssl"), "YES");
  EXPECT_NE(server->QueryValue("SHOW GRANTS FOR 'rivven_tls'@'%'").find("REQUIRE SSL"),
            std::string::npos);
  server.reset();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(MariadbServerLifecycleTest, WatchdogStopsTheServerWhenItsOwnerDies) {
  ASSERT_TRUE(MariadbServer::Available());
  TempDir tmp;
  // The server runs as mysql when we are root: it must be able to reach its directory.
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  const std::string dir = tmp / "server";
  // The owner: a process we end ourselves.
  BackgroundProcess owner({"/bin/sleep", "60"}, {}, tmp / "owner.out", tmp / "owner.err");
  const ProcessResult started =
      RunProcess({"/bin/bash", SourceDir() + "/scripts/testenv/mariadb.sh", "start", dir,
                  std::to_string(FreePort()), "--owner-pid", std::to_string(owner.pid())},
                 [] {
                   ProcessOptions o;
                   o.timeout = std::chrono::seconds(120);
                   return o;
                 }());
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string pid = ReadFile(dir + "/mysqld.pid");
  ASSERT_FALSE(pid.empty());
  ASSERT_TRUE(Alive(std::stoi(pid)));

  owner.Signal(SIGKILL);
  (void)owner.Wait(std::chrono::seconds(10));
  // The watchdog polls once a second; a killed server ends at once.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::filesystem::exists(dir) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(Alive(std::stoi(pid)));
}

}  // namespace
}  // namespace rivven::testing
