// examples/postgres/*.yaml run against a real server (ExamplesTest runs only the examples that
// need none).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/postgres_server.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

TEST(PostgresExampleTest, CdcToFilesReadsTheTableAndStops) {
  ASSERT_TRUE(PostgresServer::Available()) << "run scripts/install-deps.sh";
  std::string error;
  auto server = PostgresServer::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  ASSERT_EQ(server->Exec("CREATE DATABASE shop OWNER rivven"), "");
  auto owner = server->Params("shop");
  owner.user = "rivven";
  owner.password = "rivven-secret";
  auto conn = pg::Connection::Open(owner);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE orders (id int PRIMARY KEY, item text, total numeric(8,2))").ok());
  ASSERT_TRUE((*conn)->Exec("INSERT INTO orders VALUES (1, 'pen', 2.50), (2, 'ink', 9.99)").ok());

  TempDir dir;
  ProcessOptions o;
  o.env = {{"PGHOST", server->host()},          {"PGPORT", std::to_string(server->port())},
           {"PGDATABASE", "shop"},              {"PGUSER", "rivven"},
           {"PGPASSWORD", "rivven-secret"},     {"PGSSLMODE", "disable"},
           {"SNAPSHOT_MODE", "initial_only"},   {"RIVVEN_DATA_DIR", dir / "data"},
           {"RIVVEN_OUTPUT_DIR", dir / "out"}};
  o.timeout = std::chrono::seconds(60);
  const std::string config = SourceDir() + "/examples/postgres/postgres-cdc-to-files.yaml";
  auto validated = RunProcess({BinaryPath(), "validate", "-c", config}, o);
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  auto run = RunProcess({BinaryPath(), "run", "-c", config, "--log-level", "warn"}, o);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = SplitLines(ReadFile(dir / "out/cdc.shop.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("after":{"id":1,"item":"pen","total":"2.50"})"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find(R"("snapshot":"last")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("op":"r")"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace rivven::testing
