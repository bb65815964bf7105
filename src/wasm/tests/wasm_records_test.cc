// Records as JSON between host and guest, and plugin_config as JSON.
#include "config/node_json.h"
#include "wasm/wasm_records.h"

#include <gtest/gtest.h>

#include "wasm/wasm_config.h"

namespace rivven::wasm {
namespace {

TEST(WasmRecordsTest, RecordsGoInAsJsonWithBytesThatAreNotJsonAsStrings) {
  ConsumedRecord r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = Offset(7);
  r.record.key = "plain key";
  r.record.value = R"({"a": 1})";
  r.record.headers = {{"h", "v"}};
  r.record.timestamp_ms = 1700000000000;
  ConsumedRecord tombstone;
  tombstone.topic = "orders";
  EXPECT_EQ(ConsumedRecordsJson({r, tombstone}),
            R"([{"topic":"orders","partition":2,"offset":7,"timestamp":1700000000000,)"
            R"("key":"plain key","value":{"a": 1},"headers":{"h":"v"}},)"
            R"({"topic":"orders","partition":0,"offset":0,"timestamp":0,"key":null,)"
            R"("value":null,"headers":{}}])");
}

TEST(WasmRecordsTest, PollResultsBecomeRecordsAndAPosition) {
  auto p = ParsePollResult(
      R"({"records":[{"key":{"id":1},"value":{"n":1.50,"big":12345678901234567890},)"
      R"("headers":{"source":"x"},"topic":"other","timestamp":5},{"value":null}],)"
      R"("position":{"next": 2},"finished":true})",
      99);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->records.size(), 2u);
  const Record& a = p->records[0];
  EXPECT_EQ(a.key, R"({"id":1})");
  EXPECT_EQ(a.value, R"({"n":1.5,"big":12345678901234567890})");
  ASSERT_EQ(a.headers.size(), 1u);
  EXPECT_EQ(a.headers[0].key, "source");
  EXPECT_EQ(a.headers[0].value, "x");
  EXPECT_EQ(a.topic, "other");
  EXPECT_EQ(a.timestamp_ms, 5);
  const Record& b = p->records[1];
  EXPECT_FALSE(b.key.has_value());
  EXPECT_FALSE(b.value.has_value());
  EXPECT_EQ(b.timestamp_ms, 99);
  EXPECT_EQ(p->position, R"({"next":2})");
  EXPECT_TRUE(p->finished);

  auto empty = ParsePollResult("{}", 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
  EXPECT_EQ(empty->position, "");
  EXPECT_FALSE(empty->finished);
}

TEST(WasmRecordsTest, MalformedGuestOutputIsAClearError) {
  EXPECT_EQ(ParsePollResult("{\"records\":[", 0).status().message(),
            "rivven_poll result is not valid JSON: Invalid value. (at byte 12)");
  EXPECT_EQ(ParsePollResult(R"({"records":[{"headers":{"a":1}}]})", 0).status().message(),
            "rivven_poll result.records[0].headers.a is not a string");
  EXPECT_EQ(
      ParseRecordArray(std::string("[]\0\0", 4), "rivven_transform result", 0).status().message(),
      "rivven_transform result is not valid JSON: a NUL byte (at byte 2)");
  EXPECT_EQ(ParseRecordArray("{}", "rivven_transform result", 0).status().message(),
            "rivven_transform result is not a JSON array");
}

TEST(WasmConfigTest, PluginConfigBecomesJson) {
  config::Node root;
  root.kind = config::Node::Kind::kMap;
  auto scalar = [](std::string s, bool quoted = false) {
    config::Node n;
    n.kind = config::Node::Kind::kScalar;
    n.scalar = std::move(s);
    n.quoted = quoted;
    return n;
  };
  config::Node list;
  list.kind = config::Node::Kind::kSequence;
  list.items = {scalar("1"), scalar("true"), scalar("x\"y")};
  root.entries = {{"api_url", scalar("https://api.example.com")},
                  {"limit", scalar("25")},
                  {"quoted", scalar("25", true)},
                  {"list", list},
                  {"none", config::Node{}}};
  EXPECT_EQ(config::NodeToJson(root), R"({"api_url":"https://api.example.com","limit":25,"quoted":"25",)"
                              R"("list":[1,true,"x\"y"],"none":null})");
}

}  // namespace
}  // namespace rivven::wasm
