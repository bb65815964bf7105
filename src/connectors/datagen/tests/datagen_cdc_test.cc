#include "connectors/datagen/datagen_cdc.h"

#include <string>
#include <unordered_set>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "connectors/datagen/datagen_rows.h"
#include "connectors/datagen/datagen_source.h"

namespace rivven::datagen {
namespace {

using debezium::Op;

TEST(DatagenCdcTest, KeySetStaysConsistentOver100kEvents) {
  for (uint64_t seed : {uint64_t{42}, uint64_t{0}, ~uint64_t{0}}) {
    std::unordered_set<int64_t> live;
    int64_t max_created = 0;
    int creates = 0, updates = 0, deletes = 0;
    for (int64_t n = 0; n < 100'000; ++n) {
      const CdcEvent e = CdcEventAt(seed, n);
      switch (e.op) {
        case Op::kCreate:
          ASSERT_EQ(live.count(e.id), 0u) << "create reuses a live key at n=" << n;
          ASSERT_GT(e.id, max_created) << "create reuses an old key at n=" << n;
          max_created = e.id;
          live.insert(e.id);
          ++creates;
          break;
        case Op::kUpdate:
          ASSERT_EQ(live.count(e.id), 1u) << "update of a dead key " << e.id << " at n=" << n;
          ++updates;
          break;
        case Op::kDelete:
          ASSERT_EQ(live.erase(e.id), 1u) << "delete of a dead key " << e.id << " at n=" << n;
          ++deletes;
          break;
        default:
          FAIL() << "unexpected op at n=" << n;
      }
      ASSERT_LE(static_cast<int64_t>(live.size()), kCdcWindow + 1);
    }
    EXPECT_EQ(creates, 25'000);
    EXPECT_EQ(deletes, 25'000 - kCdcWindow);
    EXPECT_EQ(updates, 100'000 - creates - deletes);
    EXPECT_EQ(static_cast<int64_t>(live.size()), kCdcWindow);
  }
}

TEST(DatagenCdcTest, UpdatesSpreadOverTheWindow) {
  std::unordered_set<int64_t> touched;
  for (int64_t n = 40'000; n < 48'000; ++n) {
    const CdcEvent e = CdcEventAt(7, n);
    if (e.op == Op::kUpdate) touched.insert(e.id);
  }
  EXPECT_GT(touched.size(), 900u);  // ~4,000 picks over a window of 1,000 ids
}

TEST(DatagenCdcTest, EnvelopesFromTheSource) {
  DatagenConfig c;
  c.pattern = Pattern::kOrders;
  c.events_per_second = 0;
  c.seed = 42;
  c.cdc_mode = true;
  c.stream_name = "shop";
  DatagenSource s(c, ConnectorContext{});
  ASSERT_TRUE(s.Open(std::nullopt).ok());
  const int64_t count = 4 * (kCdcWindow + 10);
  for (int64_t n = 0; n < count; ++n) {
    const Record r = s.MakeRecord(n);
    const CdcEvent e = CdcEventAt(42, n);
    rapidjson::Document v;
    v.Parse(r.value->data(), r.value->size());
    ASSERT_FALSE(v.HasParseError()) << *r.value;
    ASSERT_EQ(*r.key, "{\"order_id\":" + std::to_string(e.id) + "}");
    const std::string op = v["op"].GetString();
    ASSERT_EQ(op.size(), 1u);
    ASSERT_EQ(op[0], debezium::OpChar(e.op));
    const auto& src = v["source"];
    EXPECT_STREQ(src["connector"].GetString(), "datagen");
    EXPECT_STREQ(src["name"].GetString(), "shop");
    EXPECT_STREQ(src["db"].GetString(), "datagen");
    EXPECT_STREQ(src["table"].GetString(), "orders");
    EXPECT_STREQ(src["snapshot"].GetString(), "false");
    EXPECT_EQ(src["ts_ms"].GetInt64(), EventTimeMs(n));
    EXPECT_EQ(v["ts_ms"].GetInt64(), EventTimeMs(n));
    switch (e.op) {
      case Op::kCreate:
        ASSERT_TRUE(v["before"].IsNull());
        ASSERT_EQ(v["after"]["order_id"].GetInt64(), e.id);
        EXPECT_STREQ(v["after"]["status"].GetString(), "pending");
        break;
      case Op::kUpdate:
        ASSERT_TRUE(v["before"].IsNull());
        ASSERT_EQ(v["after"]["order_id"].GetInt64(), e.id);
        EXPECT_STRNE(v["after"]["status"].GetString(), "pending");
        break;
      case Op::kDelete:
        ASSERT_TRUE(v["after"].IsNull());
        ASSERT_EQ(v["before"].MemberCount(), 1u);
        ASSERT_EQ(v["before"]["order_id"].GetInt64(), e.id);
        break;
      default:
        FAIL();
    }
  }
}

TEST(DatagenCdcTest, EntityFieldsSurviveUpdates) {
  // An order keeps its customer and product for life; a user keeps name and created_at.
  std::string created, updated;
  AppendRow(created, Pattern::kOrders, 9, 17, 64, RowVersion::kCreated);
  AppendRow(updated, Pattern::kOrders, 9, 17, 999, RowVersion::kUpdated);
  auto prefix = [](const std::string& s) { return s.substr(0, s.find(",\"quantity\"")); };
  EXPECT_EQ(prefix(created), prefix(updated));
  created.clear();
  updated.clear();
  AppendRow(created, Pattern::kUsers, 9, 17, 64, RowVersion::kCreated);
  AppendRow(updated, Pattern::kUsers, 9, 17, 999, RowVersion::kUpdated);
  auto name = [](const std::string& s) { return s.substr(0, s.find('@')); };
  auto created_at = [](const std::string& s) { return s.substr(s.find("created_at")); };
  EXPECT_EQ(name(created), name(updated));
  EXPECT_EQ(created_at(created), created_at(updated));
}

}  // namespace
}  // namespace rivven::datagen
