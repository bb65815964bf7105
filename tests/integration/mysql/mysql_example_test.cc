// examples/mysql/*.yaml run against a real server (ExamplesTest runs only the examples that
// need none).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/mariadb_server.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

TEST(MysqlExampleTest, CdcToFilesReadsTheTableAndStops) {
  ASSERT_TRUE(MariadbServer::Available()) << "run scripts/install-deps.sh";
  std::string error;
  auto server = MariadbServer::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  ASSERT_EQ(server->Exec("CREATE DATABASE shop;"
                         "CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(20), total "
                         "DECIMAL(8,2));"
                         "INSERT INTO shop.orders VALUES (1, 'pen', 2.50), (2, 'ink', 9.99);"
                         "GRANT SELECT ON shop.* TO rivven@'%';"),
            "");
  TempDir dir;
  ProcessOptions o;
  o.env = {{"MYSQL_HOST", server->host()},     {"MYSQL_PORT", std::to_string(server->port())},
           {"MYSQL_USER", "rivven"},           {"MYSQL_PASSWORD", "rivven-secret"},
           {"MYSQL_SSL_MODE", "disabled"},     {"SNAPSHOT_MODE", "initial_only"},
           {"RIVVEN_DATA_DIR", dir / "data"},  {"RIVVEN_OUTPUT_DIR", dir / "out"}};
  o.timeout = std::chrono::seconds(60);
  const std::string config = SourceDir() + "/examples/mysql/mysql-cdc-to-files.yaml";
  auto validated = RunProcess({BinaryPath(), "validate", "-c", config}, o);
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  auto checked = RunProcess({BinaryPath(), "check", "-c", config}, o);
  ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  auto run = RunProcess({BinaryPath(), "run", "-c", config, "--log-level", "warn"}, o);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = SplitLines(ReadFile(dir / "out/cdc.shop.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("after":{"id":1,"item":"pen","total":"2.50"})"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find(R"("snapshot":"last")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("connector":"mysql")"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace rivven::testing
