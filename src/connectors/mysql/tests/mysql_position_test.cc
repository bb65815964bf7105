#include "connectors/mysql/mysql_position.h"

#include <gtest/gtest.h>

namespace rivven::mysql {
namespace {

TEST(MysqlPositionTest, RoundTripsEveryField) {
  MysqlPosition p;
  p.file = "mysql-bin.000003";
  p.pos = 1234;
  p.gtids = "0-1-100,1-2-5";
  p.snapshot_done = true;
  p.tx = MysqlPosition::Transaction{"mysql-bin.000003", 1100, "0-1-101", 1200};
  SnapshotProgress s;
  s.tables = {"shop.a", "shop.b"};
  s.table = 1;
  s.after = std::vector<std::optional<std::string>>{"42"};
  s.rows = 5300;
  p.snapshot = s;
  const std::string json = p.ToJson();
  EXPECT_EQ(json,
            R"({"file":"mysql-bin.000003","pos":1234,"gtids":"0-1-100,1-2-5","snapshot_done":true,)"
            R"("tx":{"file":"mysql-bin.000003","pos":1100,"gtid":"0-1-101","skip":1200},)"
            R"("snapshot":{"tables":["shop.a","shop.b"],"table":1,"after":["42"],"rows":5300}})");
  auto back = MysqlPosition::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), json);
}

TEST(MysqlPositionTest, MinimalPositionHasNoOptionalParts) {
  MysqlPosition p;
  p.file = "b.000001";
  const std::string json = p.ToJson();
  EXPECT_EQ(json, R"({"file":"b.000001","pos":4,"snapshot_done":false})");
  auto back = MysqlPosition::FromJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->gtids.empty());
  EXPECT_FALSE(back->tx.has_value());
  EXPECT_FALSE(back->snapshot.has_value());
}

TEST(MysqlPositionTest, ForeignOrDamagedCheckpointsAreCorruption) {
  for (const std::string json :
       {"", "[]", R"({"lsn":"0/1"})", R"({"file":"f","pos":-1})", R"({"file":"f","pos":4,"gtids":3})",
        R"({"file":"f","pos":4,"tx":{"file":"f","skip":1}})",
        R"({"file":"f","pos":4,"snapshot":{"table":0}})"}) {
    auto p = MysqlPosition::FromJson(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_EQ(p.status().code(), StatusCode::kCorruption) << json;
    EXPECT_NE(p.status().message().find("mysql-cdc checkpoint is not valid"), std::string::npos);
  }
}

}  // namespace
}  // namespace rivven::mysql
