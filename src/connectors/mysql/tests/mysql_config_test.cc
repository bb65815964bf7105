#include "connectors/mysql/mysql_config.h"

#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"

namespace rivven::mysql {
namespace {

config::BoundConfig BindYaml(const std::string& yaml, config::Diagnostics* diags) {
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, diags);
  EXPECT_TRUE(node.has_value());
  static const config::Schema schema = MysqlSourceSchema();
  config::BoundConfig bound = config::Bind(schema, &*node, "sources.mysql.config", node->mark, diags);
  ValidateMysqlSourceConfig(bound, diags);
  return bound;
}

constexpr const char* kSpecExample = R"(
host: localhost
port: 3306
database: mydb
user: replication_user
password: secret
server_id: 12345
tables:
  - orders
  - customers
)";

TEST(MysqlConfigTest, TheSpecExampleWithItsDefaults) {
  config::Diagnostics diags;
  auto c = MysqlSourceConfigFromBound(BindYaml(kSpecExample, &diags), "mysql");
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->connection.host, "localhost");
  EXPECT_EQ(c->connection.port, 3306);
  EXPECT_EQ(c->connection.database, "mydb");
  EXPECT_EQ(c->connection.user, "replication_user");
  EXPECT_EQ(c->connection.password, "secret");
  EXPECT_EQ(c->connection.ssl_mode, SslMode::kPreferred);
  EXPECT_EQ(c->server_id, 12345u);
  EXPECT_EQ(c->filter.named(), (std::vector<std::string>{"mydb.orders", "mydb.customers"}));
  EXPECT_EQ(c->snapshot_mode, SnapshotMode::kInitial);
  EXPECT_EQ(c->snapshot_chunk_rows, 10000);
  EXPECT_EQ(c->heartbeat_interval, std::chrono::milliseconds(10000));
  EXPECT_FALSE(c->decimal_as_double);
  EXPECT_EQ(c->server_name, "mysql");
}

TEST(MysqlConfigTest, TablesAndRegexSelectTables) {
  config::Diagnostics diags;
  auto c = MysqlSourceConfigFromBound(
      BindYaml("host: h\ndatabase: shop\nuser: u\npassword: p\nserver_id: 7\n"
               "tables: [orders, audit.log]\ntable_regex: 'shop\\.tmp_[0-9]+'\n",
               &diags),
      "m");
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const TableFilter& f = c->filter;
  EXPECT_TRUE(f.Matches("shop", "orders"));
  EXPECT_TRUE(f.Matches("audit", "log"));
  EXPECT_TRUE(f.Matches("shop", "tmp_12"));
  EXPECT_FALSE(f.Matches("shop", "tmp_12x")) << "the regex matches the whole name";
  EXPECT_FALSE(f.Matches("shop", "customers"));
  EXPECT_FALSE(f.Matches("other", "orders"));
  EXPECT_TRUE(f.databases().empty()) << "a regex may match any database";

  auto all = TableFilter::Make("shop", {}, "");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Matches("shop", "anything"));
  EXPECT_FALSE(all->Matches("shopx", "anything"));
  EXPECT_EQ(all->databases(), std::vector<std::string>{"shop"});
}

TEST(MysqlConfigTest, ProblemsAreReportedWithTheirKeys) {
  config::Diagnostics diags;
  BindYaml(
      "host: h\ndatabase: d\nuser: u\npassword: p\nserver_id: 0\ntable_regex: '(unclosed'\n"
      "tables: ['.x', 'a.b.c']\nssl_mode: verify_ca\nssl_cert: /c.pem\nsnapshot: {mode: "
      "sometimes}\n",
      &diags);
  const std::string all = diags.Format();
  EXPECT_NE(all.find("server_id"), std::string::npos) << all;
  EXPECT_NE(all.find("table_regex"), std::string::npos) << all;
  EXPECT_NE(all.find("not a valid RE2 pattern"), std::string::npos) << all;
  EXPECT_NE(all.find("'.x' is not a table or db.table name"), std::string::npos) << all;
  EXPECT_NE(all.find("ssl_ca"), std::string::npos) << all;
  EXPECT_NE(all.find("ssl_cert and ssl_key go together"), std::string::npos) << all;
  EXPECT_NE(all.find("snapshot.mode"), std::string::npos) << all;

  config::Diagnostics missing;
  BindYaml("port: 3306\n", &missing);
  for (const char* key : {"host", "database", "user", "password", "server_id"}) {
    EXPECT_NE(missing.Format().find(std::string("missing required key '") + key + "'"),
              std::string::npos)
        << key;
  }
}

TEST(MysqlConfigTest, TlsModesAndFiles) {
  config::Diagnostics diags;
  auto c = MysqlSourceConfigFromBound(
      BindYaml("host: h\ndatabase: d\nuser: u\npassword: p\nserver_id: 9\nssl_mode: "
               "verify_identity\nssl_ca: /ca.pem\nssl_cert: /c.pem\nssl_key: /k.pem\n"
               "decimal_handling: double\nserver_name: dbserver1\n",
               &diags),
      "m");
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->connection.ssl_mode, SslMode::kVerifyIdentity);
  EXPECT_EQ(c->connection.ca_path, "/ca.pem");
  EXPECT_EQ(c->connection.cert_path, "/c.pem");
  EXPECT_EQ(c->connection.key_path, "/k.pem");
  EXPECT_TRUE(c->decimal_as_double);
  EXPECT_EQ(c->server_name, "dbserver1");
}

TEST(MysqlConfigTest, SslModeRequiredWarnsOnceThatTheServerIsNotVerified) {
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 2; ++i) {
    config::Diagnostics diags;
    auto c = MysqlSourceConfigFromBound(
        BindYaml("host: h\ndatabase: d\nuser: u\npassword: p\nserver_id: 9\nssl_mode: required\n",
                 &diags),
        "m");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->connection.ssl_mode, SslMode::kRequired);
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  const std::string warning =
      "sources.mysql.config.ssl_mode is required: TLS without certificate verification, the "
      "server's identity is not checked (verify_identity checks it)";
  const size_t at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << log;
}

}  // namespace
}  // namespace rivven::mysql
