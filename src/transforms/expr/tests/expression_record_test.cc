// Expressions over a RecordContext: the adapter the transforms use, with its lazy parsing.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "record/record.h"
#include "transforms/expr/expression.h"
#include "transforms/record_context.h"

namespace rivven::transforms {
namespace {

Expression Compile(std::string_view text) {
  auto e = Expression::Compile(text);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return e.ok() ? std::move(e).value() : Expression();
}

Record OrderRecord() {
  Record r;
  r.key = R"({"id": 42})";
  r.value = R"({"op": "c", "total": 120.5, "currency": "EUR", "customer": {"city": "Berlin"}})";
  r.headers = {{"source", "pg"}, {"trace", "a"}, {"trace", "b"}};
  r.timestamp_ms = 1700000000000;
  return r;
}

TEST(ExpressionRecordTest, ReadsEveryPartOfTheRecord) {
  Record r = OrderRecord();
  RecordContext record(r, "orders", 3, 1000);
  EXPECT_TRUE(Compile("value.total > 100 && value.currency == 'EUR'").Test(record));
  EXPECT_TRUE(Compile("key.id == 42 && op == 'c'").Test(record));
  EXPECT_TRUE(Compile("topic == 'orders' && partition == 3 && offset == 1000").Test(record));
  EXPECT_TRUE(Compile("timestamp == 1700000000000").Test(record));
  EXPECT_EQ(Compile("headers.trace").EvaluateToJson(record), R"("b")");
  EXPECT_EQ(Compile("value.customer").EvaluateToJson(record), R"({"city":"Berlin"})");
  EXPECT_EQ(Compile("offset").EvaluateToJson(record), "1000");
}

TEST(ExpressionRecordTest, RecordTopicOverridesTheDefault) {
  Record r = OrderRecord();
  r.topic = "orders.eu";
  RecordContext record(r, "orders");
  EXPECT_TRUE(Compile("topic == 'orders.eu'").Test(record));
  EXPECT_TRUE(Compile("partition is null && offset is null").Test(record));  // source side
}

TEST(ExpressionRecordTest, AValueNoPathReachesIsNeverParsed) {
  Record r = OrderRecord();
  r.value = "this is not JSON";
  RecordContext record(r, "orders");
  EXPECT_FALSE(Compile("topic == 'payments' && value.total > 1").Test(record));
  EXPECT_TRUE(record.value_error().empty());  // not even attempted
  EXPECT_FALSE(Compile("value.total > 1").Test(record));
  EXPECT_FALSE(record.value_error().empty());
  EXPECT_TRUE(Compile("value is null && !exists(value)").Test(record));
}

TEST(ExpressionRecordTest, Tombstones) {
  Record r = OrderRecord();
  r.value.reset();
  RecordContext record(r, "orders");
  EXPECT_TRUE(Compile("value is null").Test(record));
  EXPECT_FALSE(Compile("value.total > 1").Test(record));
  EXPECT_EQ(Compile("value.total").EvaluateToJson(record), "null");
  EXPECT_TRUE(Compile("key.id == 42").Test(record));
}

TEST(ExpressionRecordTest, SeesChangesMadeByEarlierTransforms) {
  Record r = OrderRecord();
  RecordContext record(r, "orders");
  (*record.Value())["total"].SetInt(5);
  record.MarkValueChanged();
  EXPECT_TRUE(Compile("value.total == 5").Test(record));
}

TEST(ExpressionRecordTest, EvaluateToDomUsesTheRecordsAllocator) {
  Record r = OrderRecord();
  RecordContext record(r, "orders");
  rapidjson::Value computed;
  Compile("[upper(value.currency), value.total * 2, value.customer]")
      .EvaluateToDom(record, &computed);
  record.Value()->AddMember("computed", computed, record.allocator());
  record.MarkValueChanged();
  record.Commit();
  EXPECT_NE(r.value->find(R"("computed":["EUR",241.0,{"city":"Berlin"}])"), std::string::npos)
      << *r.value;
}

}  // namespace
}  // namespace rivven::transforms
