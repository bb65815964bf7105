// mysql::Connection against a real MariaDB: queries, streaming, escaping, and the errors and
// their dispositions a connector relies on.
#include "clients/mysql/mysql_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "clients/mysql/mysql_error.h"
#include "support/mariadb_server.h"

namespace rivven::testing {
namespace {

using mysql::Connection;
using mysql::ConnectionParams;

/// The process's resident memory, from /proc/self/statm.
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

class MysqlConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (MariadbServer::Available()) server_ = MariadbServer::Start({}, &start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run install-deps.sh";
    ASSERT_NE(server_, nullptr) << start_error_;
  }
  static std::unique_ptr<Connection> Rivven() {
    auto conn = Connection::Open(server_->RivvenParams());
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  static std::unique_ptr<MariadbServer> server_;
  static std::string start_error_;
};

std::unique_ptr<MariadbServer> MysqlConnectionTest::server_;
std::string MysqlConnectionTest::start_error_;

TEST_F(MysqlConnectionTest, ConnectsAndKnowsTheServer) {
  auto conn = Rivven();
  ASSERT_NE(conn, nullptr);
  EXPECT_TRUE(conn->is_mariadb());
  EXPECT_NE(conn->server_version().find("MariaDB"), std::string::npos) << conn->server_version();
  EXPECT_EQ(conn->server_version_number() / 100, 1011u) << conn->server_version_number();
  EXPECT_EQ(conn->where(), "rivven@127.0.0.1:" + std::to_string(server_->port()) + "/rivven_test");
  EXPECT_EQ(conn->tls_cipher(), "");
  auto who = conn->Query("SELECT CURRENT_USER() AS who, DATABASE() AS db, @@character_set_client");
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->Value(0, "who"), "rivven@%");
  EXPECT_EQ(who->Value(0, "db"), "rivven_test");
  EXPECT_EQ(who->Value(0, size_t{2}), "utf8mb4");
}

TEST_F(MysqlConnectionTest, QueryGivesColumnsRowsAndNulls) {
  ASSERT_EQ(server_->Exec("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), price "
                          "DECIMAL(6,2)); INSERT INTO items VALUES (1,'pen',1.50),(2,NULL,NULL)",
                          "rivven_test"),
            "");
  auto conn = Rivven();
  auto r = conn->Query("SELECT id, name, price FROM items ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows(), 2u);
  EXPECT_EQ(r->column_names(), (std::vector<std::string>{"id", "name", "price"}));
  EXPECT_EQ(r->ColumnIndex("price"), 2u);
  EXPECT_EQ(r->ColumnIndex("missing"), std::nullopt);
  EXPECT_EQ(r->Value(0, "name"), "pen");
  EXPECT_EQ(r->Value(0, "price"), "1.50");
  EXPECT_EQ(r->Value(1, "name"), std::nullopt);
  EXPECT_EQ(r->Value(1, size_t{0}), "2");

  auto empty = conn->Query("SELECT id FROM items WHERE id > 100");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rows(), 0u);
  EXPECT_EQ(empty->columns(), 1u);

  // A statement without a result set reports the rows it changed (root: rivven cannot write).
  auto root = server_->Connect("rivven_test");
  auto updated = root->Query("UPDATE items SET price = 2 WHERE id <= 2");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->columns(), 0u);
  EXPECT_EQ(updated->affected_rows(), 2u);
}

TEST_F(MysqlConnectionTest, BinaryValuesKeepEmbeddedNuls) {
  auto conn = Rivven();
  auto r = conn->Query("SELECT X'00410042' AS b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Value(0, "b"), std::string_view("\0A\0B", 4));
  int rows = 0;
  const Status s = conn->QueryEach("SELECT X'00410042', NULL", [&](const mysql::RowView& row) {
    ++rows;
    EXPECT_EQ(row.size(), 2u);
    EXPECT_EQ(row.View(0), std::string_view("\0A\0B", 4));
    EXPECT_FALSE(row.IsNull(0));
    EXPECT_TRUE(row.IsNull(1));
    EXPECT_EQ(row.View(1), "");
    EXPECT_EQ(row.Value(1), std::nullopt);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, 1);
}

TEST_F(MysqlConnectionTest, QueryEachStreamsALargeResultInBoundedMemory) {
  auto conn = Rivven();
  constexpr uint64_t kRows = 200000;  // 500-byte values: 100 MB in all
  const size_t before = ResidentBytes();
  size_t peak = before;
  uint64_t rows = 0, sum = 0, bytes = 0;
  const Status s =
      conn->QueryEach("SELECT seq, REPEAT('x', 500) AS pad FROM seq_1_to_" + std::to_string(kRows),
                      [&](const mysql::RowView& row) {
                        ++rows;
                        sum += std::stoull(std::string(row.View(0)));
                        bytes += row.View(1).size();
                        EXPECT_EQ(row.column_names()[1], "pad");
                        if (rows % 10000 == 0) peak = std::max(peak, ResidentBytes());
                        return Status::Ok();
                      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(sum, kRows * (kRows + 1) / 2);
  EXPECT_EQ(bytes, kRows * 500);
  EXPECT_LT(peak - before, size_t{16} << 20) << "resident memory grew by " << (peak - before);
}

TEST_F(MysqlConnectionTest, QueryEachStopsOnTheCallbacksError) {
  auto conn = Rivven();
  int rows = 0;
  const Status s = conn->QueryEach("SELECT seq FROM seq_1_to_100000", [&](const mysql::RowView&) {
    return ++rows == 10 ? Status::InvalidArgument("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "enough");
  EXPECT_EQ(rows, 10);
  // The rest of the result was drained: the connection is usable.
  auto one = conn->Query("SELECT 1");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->Value(0, size_t{0}), "1");
}

TEST_F(MysqlConnectionTest, EscapeAndQuoteIdentifierRoundTrip) {
  auto root = server_->Connect("rivven_test");
  const std::string table = "odd`name; DROP";
  const std::string value = std::string("it's a \"test\"\\\n\0end", 20);
  ASSERT_TRUE(
      root->Exec("CREATE TABLE " + Connection::QuoteIdentifier(table) + " (v VARBINARY(100))")
          .ok());
  ASSERT_TRUE(root->Exec("INSERT INTO " + Connection::QuoteIdentifier(table) + " VALUES ('" +
                         root->Escape(value) + "')")
                  .ok());
  auto r = root->Query("SELECT v FROM " + Connection::QuoteIdentifier(table));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Value(0, "v"), value);
}

TEST_F(MysqlConnectionTest, MultiStatementsOnlyWhenAsked) {
  auto conn = Rivven();
  const Status single = conn->Exec("SELECT 1; SELECT 2");
  EXPECT_EQ(mysql::ErrorNumber(single), 1064u) << single.ToString();
  auto root = server_->Connect();  // RootParams allow several statements
  EXPECT_TRUE(root->Exec("SET @a = 1; SELECT @a; SET @b = 2").ok());
  auto b = root->Query("SELECT @b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->Value(0, size_t{0}), "2");
}

TEST_F(MysqlConnectionTest, WrongPasswordIsFatalAndNamesWhere) {
  ConnectionParams p = server_->RivvenParams();
  p.password = "not-the-secret";
  auto conn = Connection::Open(p);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(
      conn.status().message(),
      "MySQL error 1045 (28000) connecting to rivven@127.0.0.1:" + std::to_string(server_->port()) +
          "/rivven_test: Access denied for user 'rivven'@'127.0.0.1' (using password: YES)");
  EXPECT_FALSE(conn.status().retriable());
  EXPECT_EQ(mysql::ErrorSqlState(conn.status()), "28000");
}

TEST_F(MysqlConnectionTest, UnknownDatabaseSyntaxAndPrivilegesAreFatal) {
  ConnectionParams p = server_->RivvenParams();
  p.database = "no_such_db";
  auto conn = Connection::Open(p);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(mysql::ErrorNumber(conn.status()), 1049u) << conn.status().ToString();
  EXPECT_FALSE(conn.status().retriable());

  auto rivven = Rivven();
  const Status syntax = rivven->Exec("SELEKT 1");
  EXPECT_EQ(syntax.code(), StatusCode::kInvalidArgument) << syntax.ToString();
  EXPECT_EQ(mysql::ErrorSqlState(syntax), "42000");
  EXPECT_NE(syntax.message().find("query failed on rivven@127.0.0.1:"), std::string::npos);
  const Status denied = rivven->Exec("CREATE TABLE not_allowed (id INT)");
  EXPECT_EQ(mysql::ErrorNumber(denied), 1142u) << denied.ToString();
  EXPECT_FALSE(denied.retriable());
  auto missing = rivven->Query("SELECT * FROM no_such_table");
  EXPECT_EQ(mysql::ErrorNumber(missing.status()), 1146u) << missing.status().ToString();
}

TEST_F(MysqlConnectionTest, KilledConnectionIsRetriable) {
  auto conn = Rivven();
  auto id = conn->Query("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(server_->Exec("KILL " + std::string(*id->Value(0, size_t{0}))), "");
  const Status s = conn->Exec("SELECT 1");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.retriable()) << s.ToString();
}

TEST_F(MysqlConnectionTest, RefusedConnectionIsRetriable) {
  // A bound but not listening socket: connections to its port are refused.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ConnectionParams p = server_->RivvenParams();
  p.port = ntohs(addr.sin_port);
  p.connect_timeout = std::chrono::seconds(5);
  auto conn = Connection::Open(p);
  close(fd);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(conn.status().retriable()) << conn.status().ToString();
  EXPECT_EQ(mysql::ErrorNumber(conn.status()), 2002u) << conn.status().ToString();
}

}  // namespace
}  // namespace rivven::testing
