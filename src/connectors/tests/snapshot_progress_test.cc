#include "connectors/snapshot_progress.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include "connectors/snapshot_mode.h"

namespace rivven {
namespace {

Result<SnapshotProgress> Parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  EXPECT_FALSE(d.HasParseError()) << json;
  SnapshotProgress p;
  RC_RETURN_IF_ERROR(SnapshotProgress::FromJson(d, json, "test-cdc", &p));
  return p;
}

TEST(SnapshotProgress, RoundTripsWithNullKeyPartsAndWithoutAKey) {
  SnapshotProgress p;
  p.tables = {"shop.orders", "shop.\"odd\" name"};
  p.table = 1;
  p.after = std::vector<std::optional<std::string>>{"42", std::nullopt, "é\n"};
  p.rows = 5300;
  std::string json;
  p.AppendJson(json);
  auto back = Parse(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->tables, p.tables);
  EXPECT_EQ(back->table, 1u);
  EXPECT_EQ(back->after, p.after);
  EXPECT_EQ(back->rows, 5300u);

  SnapshotProgress fresh;
  fresh.tables = {"a.b"};
  json.clear();
  fresh.AppendJson(json);
  EXPECT_EQ(json, R"({"tables":["a.b"],"table":0,"rows":0})");
  back = Parse(json);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->after.has_value());
}

TEST(SnapshotProgress, DamageIsACorruptionNamingTheSourceAndTheCheckpoint) {
  for (const std::string json : {R"({"table":0})", R"({"tables":["a"],"table":2})",
                                 R"({"tables":[1],"table":0})",
                                 R"({"tables":["a"],"table":0,"after":[7]})"}) {
    auto p = Parse(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_EQ(p.status().code(), StatusCode::kCorruption);
    EXPECT_NE(p.status().message().find("test-cdc checkpoint is not valid"), std::string::npos);
    EXPECT_NE(p.status().message().find(json), std::string::npos) << p.status().message();
  }
}

TEST(SnapshotModeTest, NamesRoundTripAndUnknownOnesAreNamed) {
  for (auto m : {SnapshotMode::kInitial, SnapshotMode::kNever, SnapshotMode::kInitialOnly,
                 SnapshotMode::kWhenNeeded, SnapshotMode::kAlways}) {
    auto back = SnapshotModeFromName(SnapshotModeName(m));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
  }
  auto bad = SnapshotModeFromName("sometimes");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'sometimes'"), std::string::npos);
}

}  // namespace
}  // namespace rivven
