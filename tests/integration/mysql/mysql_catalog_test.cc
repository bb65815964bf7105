// The mysql-cdc source's catalog queries, `check` and `discover` against a real MariaDB.
#include "connectors/mysql/mysql_catalog.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "connectors/mysql/mysql_charset.h"
#include "support/mariadb_server.h"

namespace rivven::testing {
namespace {

using mysql::MysqlSourceConfig;

class MysqlCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!MariadbServer::Available()) return;
    server_ = MariadbServer::Start({}, &start_error_);
    if (!server_) return;
    const std::string error = server_->Exec(R"(
      CREATE DATABASE shop;
      CREATE TABLE shop.orders (
        id INT UNSIGNED NOT NULL, region CHAR(2) NOT NULL, note VARCHAR(20) CHARACTER SET latin1,
        size ENUM('small','it''s big') NOT NULL, tags SET('a','b','c'), doc JSON,
        amount DECIMAL(12,2), PRIMARY KEY (region, id));
      CREATE TABLE shop.log (line TEXT);
      CREATE TABLE shop.tmp_1 (id INT PRIMARY KEY);
      CREATE VIEW shop.orders_view AS SELECT id FROM shop.orders;
      CREATE DATABASE audit;
      CREATE TABLE audit.events (id BIGINT PRIMARY KEY);
      INSERT INTO shop.orders VALUES (1, 'eu', 'x', 'small', 'a,c', '{"k":1}', 12.50);
      ANALYZE TABLE shop.orders;
    )");
    if (!error.empty()) start_error_ = error;
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run install-deps.sh";
    ASSERT_NE(server_, nullptr) << start_error_;
    ASSERT_TRUE(start_error_.empty()) << start_error_;
  }

  static MysqlSourceConfig Config(std::vector<std::string> tables = {}, std::string regex = "") {
    MysqlSourceConfig c;
    c.connection = server_->RivvenParams();
    c.connection.database = "shop";
    c.server_id = 4242;
    auto filter = mysql::TableFilter::Make("shop", tables, regex);
    EXPECT_TRUE(filter.ok()) << filter.status().ToString();
    c.filter = *filter;
    return c;
  }
  static std::unique_ptr<mysql::Connection> Connect() {
    auto conn = mysql::Connection::Open(Config().connection);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  static std::unique_ptr<MariadbServer> server_;
  static std::string start_error_;
};

std::unique_ptr<MariadbServer> MysqlCatalogTest::server_;
std::string MysqlCatalogTest::start_error_;

TEST_F(MysqlCatalogTest, FiltersPickBaseTablesOfTheirDatabases) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  using Names = std::vector<std::pair<std::string, std::string>>;
  auto all = mysql::ListCapturedTables(*conn, Config().filter);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, (Names{{"shop", "log"}, {"shop", "orders"}, {"shop", "tmp_1"}}))
      << "every base table of the database, no view, no other database";
  auto listed = mysql::ListCapturedTables(*conn, Config({"orders", "audit.events"}).filter);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (Names{{"audit", "events"}, {"shop", "orders"}}));
  auto regex = mysql::ListCapturedTables(*conn, Config({}, "(shop|mysql)\\.(tmp_.*|user)").filter);
  ASSERT_TRUE(regex.ok());
  EXPECT_EQ(*regex, (Names{{"shop", "tmp_1"}})) << "system databases are never captured";
}

TEST_F(MysqlCatalogTest, TableShapeCarriesKeysCharsetsLabelsAndJson) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto t = mysql::LoadCapturedTable(*conn, "shop", "orders");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const auto& columns = t->schema.columns();
  ASSERT_EQ(columns.size(), 7u);
  EXPECT_EQ(columns[0].name, "id");
  EXPECT_TRUE(columns[0].is_unsigned);
  EXPECT_FALSE(columns[6].is_unsigned);
  ASSERT_NE(columns[2].charset, nullptr);
  EXPECT_STREQ(columns[2].charset->name, "latin1");
  EXPECT_EQ(columns[3].labels, (std::vector<std::string>{"small", "it's big"}));
  EXPECT_EQ(columns[4].labels, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(columns[5].json) << "MariaDB's JSON is LONGTEXT with a json_valid check";
  EXPECT_FALSE(columns[1].json);
  EXPECT_EQ(t->schema.key_columns(), (std::vector<uint32_t>{1, 0})) << "key order, not table order";
  EXPECT_EQ(t->column_types[0], "int(10) unsigned");
  EXPECT_FALSE(t->nullable[0]);
  EXPECT_TRUE(t->nullable[2]);

  auto missing = mysql::LoadCapturedTable(*conn, "shop", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("shop.nope"), std::string::npos);
}

TEST_F(MysqlCatalogTest, EnumLabelsParseQuotesAndEscapes) {
  EXPECT_EQ(mysql::ParseEnumLabels("enum('a','it''s','x,y')"),
            (std::vector<std::string>{"a", "it's", "x,y"}));
  EXPECT_EQ(mysql::ParseEnumLabels("set('')"), (std::vector<std::string>{""}));
  EXPECT_TRUE(mysql::ParseEnumLabels("varchar(10)").empty());
}

TEST_F(MysqlCatalogTest, CheckPassesOnAGoodServerAndNamesEachProblem) {
  Status ok = mysql::CheckMysqlSource(Config({"orders"}));
  EXPECT_TRUE(ok.ok()) << ok.ToString();

  MysqlSourceConfig own_id = Config({"orders", "missing_table"});
  own_id.server_id = 1;  // the test server's own
  Status bad = mysql::CheckMysqlSource(own_id);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("server_id 1 is the server's own"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("shop.missing_table (in tables) does not exist"), std::string::npos)
      << bad.message();

  ASSERT_EQ(server_->Exec("CREATE USER IF NOT EXISTS plain@'%' IDENTIFIED BY 'pw';"
                          "GRANT SELECT ON shop.log TO plain@'%';"),
            "");
  MysqlSourceConfig plain = Config({"log", "orders"});
  plain.connection.user = "plain";
  plain.connection.password = "pw";
  Status unprivileged = mysql::CheckMysqlSource(plain);
  ASSERT_FALSE(unprivileged.ok());
  EXPECT_NE(unprivileged.message().find("lacks REPLICATION SLAVE"), std::string::npos)
      << unprivileged.message();
  EXPECT_NE(unprivileged.message().find("lacks REPLICATION CLIENT"), std::string::npos);
  EXPECT_NE(unprivileged.message().find("orders"), std::string::npos)
      << "a table it cannot read is named: " << unprivileged.message();

  ASSERT_EQ(server_->Exec("SET GLOBAL binlog_row_image = 'MINIMAL'"), "");
  Status minimal = mysql::CheckMysqlSource(Config());
  ASSERT_EQ(server_->Exec("SET GLOBAL binlog_row_image = 'FULL'"), "");
  ASSERT_FALSE(minimal.ok());
  EXPECT_NE(minimal.message().find("binlog_row_image is MINIMAL"), std::string::npos)
      << minimal.message();
}

TEST_F(MysqlCatalogTest, DiscoverListsColumnsTypesAndKeys) {
  auto streams = mysql::DiscoverMysqlStreams(Config({"orders"}));
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "shop.orders");
  const std::string& schema = (*streams)[0].json_schema;
  EXPECT_NE(schema.find(R"("id":{"x-mysql-type":"int(10) unsigned","x-nullable":false})"),
            std::string::npos)
      << schema;
  EXPECT_NE(schema.find(R"("x-primary-key":["region","id"])"), std::string::npos) << schema;
}

}  // namespace
}  // namespace rivven::testing
