// The PostgreSQL test server itself: what every other test in this folder relies on.
#include "support/postgres_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace rivven::testing {
namespace {

constexpr char kNotInstalled[] =
    "PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb is missing): run "
    "scripts/install-deps.sh";

/// One plain server for the whole suite; every test fails loudly when it could not start.
class PostgresServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (PostgresServer::Available()) server_ = PostgresServer::Start({}, &start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(PostgresServer::Available()) << kNotInstalled;
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  static pg::ConnectionParams RivvenParams(const std::string& password) {
    pg::ConnectionParams params = server_->Params();
    params.user = "rivven";
    params.password = password;
    return params;
  }

  static std::unique_ptr<PostgresServer> server_;
  static std::string start_error_;
};

std::unique_ptr<PostgresServer> PostgresServerTest::server_;
std::string PostgresServerTest::start_error_;

TEST_F(PostgresServerTest, StartsWithLogicalWal) {
  EXPECT_EQ(server_->host(), "127.0.0.1");
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->QueryValue("SHOW wal_level"), "logical");
  EXPECT_EQ(server_->QueryValue("SHOW max_replication_slots"), "20");
  EXPECT_EQ(server_->QueryValue("SHOW synchronous_commit"), "on");
  EXPECT_EQ(server_->QueryValue("SHOW server_encoding"), "UTF8");
  auto conn = server_->Connect();
  EXPECT_EQ(conn->server_version() / 10000, 15);
  EXPECT_FALSE(conn->uses_tls());
  EXPECT_EQ(server_->ca_path(), "");
}

TEST_F(PostgresServerTest, ExecReportsErrors) {
  EXPECT_EQ(server_->Exec("CREATE TABLE exec_probe(id int PRIMARY KEY)"), "");
  EXPECT_NE(server_->Exec("SELECT * FROM no_such_table").find("42P01"), std::string::npos);
  EXPECT_EQ(server_->QueryValue("SELECT count(*) FROM exec_probe"), "0");
  EXPECT_EQ(server_->QueryValue("SELECT 1 WHERE false"), "");
}

TEST_F(PostgresServerTest, RivvenLogsInWithItsPassword) {
  auto conn = pg::Connection::Open(RivvenParams("rivven-secret"));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString() << "\n" << server_->Log();
  auto user = (*conn)->Exec("SELECT current_user");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->get(0, 0), "rivven");
  EXPECT_EQ(server_->QueryValue("SELECT rolreplication FROM pg_roles WHERE rolname = 'rivven'"),
            "t");
}

TEST_F(PostgresServerTest, WrongPasswordIsRefused) {
  auto conn = pg::Connection::Open(RivvenParams("not-the-secret"));
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("password authentication failed"), std::string::npos)
      << conn.status().ToString();
  EXPECT_FALSE(conn.status().retriable()) << conn.status().ToString();
}

TEST_F(PostgresServerTest, RivvenOpensReplicationConnections) {
  pg::ConnectionParams params = RivvenParams("rivven-secret");
  params.replication = true;
  auto conn = pg::Connection::Open(params);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString() << "\n" << server_->Log();
  auto system = (*conn)->Exec("IDENTIFY_SYSTEM");
  ASSERT_TRUE(system.ok()) << system.status().ToString();
  ASSERT_EQ(system->rows(), 1);
  EXPECT_EQ(system->get(0, "dbname").value_or(""), "postgres");
}

// Last in the suite: it restarts the shared server (and leaves it running).
TEST_F(PostgresServerTest, StopAndStartAgainKeepData) {
  ASSERT_EQ(server_->Exec("CREATE TABLE kept(id int PRIMARY KEY, v text); "
                          "INSERT INTO kept VALUES (1, 'before restart')"),
            "");
  ASSERT_TRUE(server_->Stop());
  EXPECT_EQ(server_->QueryValue("SELECT 1"), "") << "the server still answers after Stop";
  EXPECT_TRUE(server_->Stop()) << "Stop of a stopped server";
  ASSERT_TRUE(server_->StartAgain()) << server_->Log();
  EXPECT_EQ(server_->QueryValue("SELECT v FROM kept WHERE id = 1"), "before restart");
  EXPECT_EQ(server_->QueryValue("SHOW wal_level"), "logical");
}

/// A server with ssl=on and a certificate signed by the test CA.
class PostgresServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (PostgresServer::Available()) server_ = PostgresServer::Start({.tls = true}, &start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(PostgresServer::Available()) << kNotInstalled;
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  static std::unique_ptr<PostgresServer> server_;
  static std::string start_error_;
};

std::unique_ptr<PostgresServer> PostgresServerTlsTest::server_;
std::string PostgresServerTlsTest::start_error_;

TEST_F(PostgresServerTlsTest, MakesTestCertificates) {
  for (const std::string& path :
       {server_->ca_path(), server_->client_cert_path(), server_->client_key_path()}) {
    ASSERT_FALSE(path.empty());
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
  }
  const auto key_perms = std::filesystem::status(server_->client_key_path()).permissions();
  EXPECT_EQ(key_perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PostgresServerTlsTest, VerifyFullWithTheCaConnectsOverTls) {
  pg::ConnectionParams params = server_->Params();
  ASSERT_EQ(params.tls_mode, pg::TlsMode::kVerifyFull);
  ASSERT_EQ(params.tls_ca_path, server_->ca_path());
  auto conn = pg::Connection::Open(params);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString() << "\n" << server_->Log();
  EXPECT_TRUE((*conn)->uses_tls());
  auto ssl = (*conn)->Exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok()) << ssl.status().ToString();
  ASSERT_EQ(ssl->rows(), 1);
  EXPECT_EQ(ssl->get(0, 0), "t");
}

TEST_F(PostgresServerTlsTest, RivvenLogsInOverTlsWithItsPassword) {
  pg::ConnectionParams params = server_->Params();
  params.user = "rivven";
  params.password = "rivven-secret";
  auto conn = pg::Connection::Open(params);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString() << "\n" << server_->Log();
  EXPECT_TRUE((*conn)->uses_tls());
}

TEST_F(PostgresServerTlsTest, ClientCertificateIsAccepted) {
  pg::ConnectionParams params = server_->Params();
  params.tls_cert_path = server_->client_cert_path();
  params.tls_key_path = server_->client_key_path();
  auto conn = pg::Connection::Open(params);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString() << "\n" << server_->Log();
  auto dn = (*conn)->Exec("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(dn.ok()) << dn.status().ToString();
  EXPECT_EQ(dn->get(0, 0), "/CN=postgres");
}

TEST_F(PostgresServerTlsTest, VerifyFullWithoutTheCaFails) {
  pg::ConnectionParams params = server_->Params();
  params.tls_ca_path = "/nonexistent/ca.crt";
  auto conn = pg::Connection::Open(params);
  EXPECT_FALSE(conn.ok());
}

}  // namespace
}  // namespace rivven::testing
