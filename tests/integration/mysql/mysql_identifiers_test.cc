// Names that only work quoted (a backtick, a semicolon and SQL after it, a space, a reserved
// word) through the whole mysql-cdc pipeline: catalog queries, chunked snapshot (ORDER BY and
// the resume condition on the key), and the binlog stream. Nothing in them is ever run as SQL.
#include <gtest/gtest.h>

#include "mysql_pipeline_fixture.h"

namespace rivven::testing {
namespace {

TEST_F(MysqlPipelineTest, HostileIdentifiersAreQuotedEverywhere) {
  const std::string table = "`we``ird; DROP TABLE victim; --`";
  ASSERT_EQ(server_->Exec("CREATE TABLE victim (id INT PRIMARY KEY);"
                          "CREATE TABLE " + table +
                              " (`select` INT PRIMARY KEY, `a``b c` VARCHAR(20));"
                              "INSERT INTO " + table + " VALUES (1, 'one'), (2, 'two'), (3, 'three');",
                          db_),
            "");
  WriteConfig("initial", /*chunk_rows=*/1, "", "[\"we`ird; DROP TABLE victim; --\"]");
  Start();
  auto lines = [&] { return SplitLines(ReadFile(output())); };
  ASSERT_TRUE(WaitUntil([&] { return lines().size() >= 3; }, seconds(60))) << Logs();
  ASSERT_EQ(server_->Exec("UPDATE " + table + " SET `a``b c` = 'uno' WHERE `select` = 1", db_), "");
  ASSERT_TRUE(WaitUntil([&] { return lines().size() >= 4; }, seconds(60))) << Logs();
  const auto out = lines();
  ASSERT_EQ(out.size(), 4u) << Logs();
  EXPECT_NE(out[0].find(R"("after":{"select":1,"a`b c":"one"})"), std::string::npos) << out[0];
  EXPECT_NE(out[2].find(R"("after":{"select":3,"a`b c":"three"})"), std::string::npos) << out[2];
  EXPECT_NE(out[0].find(R"("table":"we`ird; DROP TABLE victim; --")"), std::string::npos) << out[0];
  EXPECT_NE(out[3].find(R"("op":"u")"), std::string::npos) << out[3];
  EXPECT_NE(out[3].find(R"("after":{"select":1,"a`b c":"uno"})"), std::string::npos) << out[3];
  EXPECT_EQ(server_->QueryValue("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                                "TABLE_SCHEMA = '" + db_ + "' AND TABLE_NAME = 'victim'", db_),
            "1");  // nothing was executed
  Stop();
}

}  // namespace
}  // namespace rivven::testing
