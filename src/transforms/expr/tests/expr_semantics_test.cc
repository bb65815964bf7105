// Paths, record fields, missing data, short-circuit evaluation and string functions.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "transforms/expr/tests/expr_test_util.h"

namespace rivven::transforms::expr {
namespace {

using testing::CountingRecord;
using testing::Eval;
using testing::MustCompile;
using testing::TestRecord;
using testing::Truth;

constexpr const char* kOrder = R"({
  "op": "c", "total": 120.5, "currency": "EUR", "first name": "Zoë",
  "customer": {"id": 42, "address": {"city": "Berlin", "zip": "10115"}},
  "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}],
  "big": 18446744073709551615, "nul": null, "tags": []
})";

TEST(ExprPathsTest, NestedFieldsIndexesAndBrackets) {
  EXPECT_EQ(Eval("value.customer.address.city", kOrder), R"("Berlin")");
  EXPECT_EQ(Eval("value.customer.id", kOrder), "42");
  EXPECT_EQ(Eval("value[\"first name\"]", kOrder), R"("Zoë")");
  EXPECT_EQ(Eval("value['customer']['address'].zip", kOrder), R"("10115")");
  EXPECT_EQ(Eval("value.items[0].sku", kOrder), R"("A-1")");
  EXPECT_EQ(Eval("value.items[1].qty", kOrder), "1");
  EXPECT_EQ(Eval("value.items[-1].sku", kOrder), R"("B-2")");
  EXPECT_EQ(Eval("value.items[-2].sku", kOrder), R"("A-1")");
  EXPECT_EQ(Eval("value.customer.address", kOrder), R"({"city":"Berlin","zip":"10115"})");
  EXPECT_EQ(Eval("op", kOrder), R"("c")");
  EXPECT_TRUE(Truth("op == 'c'", kOrder));
  // Keywords are field names after a dot.
  EXPECT_EQ(Eval("value.null.in", R"({"null": {"in": 1}})"), "1");
}

TEST(ExprPathsTest, MissingPathsAreNull) {
  for (const char* path : {"value.nope", "value.customer.nope.deeper", "value.items[2]",
                           "value.items[-3]", "value.items.sku", "value.total.x",
                           "value.customer[0]", "value.nul.x", "value.currency[0]"}) {
    EXPECT_EQ(Eval(path, kOrder), "null") << path;
    EXPECT_TRUE(Truth(std::string(path) + " is null", kOrder)) << path;
  }
}

TEST(ExprPathsTest, ValueAndKeyAsAWhole) {
  TestRecord record(R"({"a": 1})", R"({"id": "k1"})");
  EXPECT_EQ(Eval("value", record), R"({"a":1})");
  EXPECT_EQ(Eval("key.id", record), R"("k1")");
  EXPECT_EQ(Eval("key", record), R"({"id":"k1"})");
  TestRecord scalar_key(R"({"a": 1})", R"("plain")");
  EXPECT_EQ(Eval("key", scalar_key), R"("plain")");
  EXPECT_EQ(Eval("key.id", scalar_key), "null");
}

TEST(ExprPathsTest, TombstoneValueIsNull) {
  TestRecord tombstone;  // no value
  EXPECT_TRUE(MustCompile("value is null").Test(tombstone));
  EXPECT_FALSE(MustCompile("exists(value)").Test(tombstone));
  EXPECT_EQ(Eval("value.a", tombstone), "null");
  EXPECT_EQ(Eval("op", tombstone), "null");
}

TEST(ExprPathsTest, RecordFields) {
  TestRecord record(kOrder);
  record.topic = "orders";
  record.partition = 3;
  record.offset = 1000;
  record.timestamp_ms = 1700000000000;
  record.headers = {{"source", "pg"}, {"content-type", "json"}, {"source", "mysql"}};
  EXPECT_EQ(Eval("topic", record), R"("orders")");
  EXPECT_EQ(Eval("partition", record), "3");
  EXPECT_EQ(Eval("offset", record), "1000");
  EXPECT_EQ(Eval("timestamp", record), "1700000000000");
  EXPECT_EQ(Eval("headers.source", record), R"("mysql")");  // the last one
  EXPECT_EQ(Eval("headers[\"content-type\"]", record), R"("json")");
  EXPECT_EQ(Eval("headers.missing", record), "null");
  EXPECT_TRUE(MustCompile("topic == 'orders' && timestamp > 0").Test(record));
  EXPECT_TRUE(MustCompile("exists(headers.source) && !exists(headers.x)").Test(record));
  EXPECT_TRUE(MustCompile("exists(partition) && exists(offset)").Test(record));
}

TEST(ExprPathsTest, PartitionAndOffsetAreNullBeforeTheRecordIsStored) {
  TestRecord record(kOrder);  // partition/offset -1: source side
  EXPECT_EQ(Eval("partition", record), "null");
  EXPECT_EQ(Eval("offset", record), "null");
  EXPECT_FALSE(MustCompile("exists(offset)").Test(record));
  EXPECT_FALSE(MustCompile("offset >= 0").Test(record));
}

TEST(ExprPathsTest, ExistsTellsJsonNullFromMissing) {
  EXPECT_TRUE(Truth("exists(value.nul)", kOrder));
  EXPECT_TRUE(Truth("value.nul is null", kOrder));
  EXPECT_FALSE(Truth("exists(value.nope)", kOrder));
  EXPECT_TRUE(Truth("exists(value.items[1].qty)", kOrder));
  EXPECT_FALSE(Truth("exists(value.items[9])", kOrder));
  EXPECT_TRUE(Truth("exists(topic) && exists(timestamp)", kOrder));
}

TEST(ExprPathsTest, LargeNumbersFromTheRecord) {
  // 2^64 - 1 does not fit an int64: it is read as a float.
  EXPECT_TRUE(Truth("value.big > 9223372036854775807", kOrder));
  EXPECT_EQ(Eval("value.big", kOrder), "18446744073709551616.0");
  EXPECT_TRUE(Truth("value.total > 100", kOrder));
  EXPECT_FALSE(Truth("value.total > '100'", kOrder));
}

TEST(ExprShortCircuitTest, RightSideIsNotEvaluatedOnceDecided) {
  CountingRecord record(kOrder);
  record.topic = "payments";
  EXPECT_FALSE(MustCompile("topic == 'orders' && value.total > 100").Test(record));
  EXPECT_EQ(record.value_reads, 0);  // the value was never looked at (nor parsed)
  EXPECT_TRUE(MustCompile("topic == 'payments' || value.total > 100").Test(record));
  EXPECT_EQ(record.value_reads, 0);
  EXPECT_FALSE(MustCompile("false && len(value.nope) > 0").Test(record));
  EXPECT_TRUE(MustCompile("true || headers.x == 'y'").Test(record));
  EXPECT_EQ(record.header_reads, 0);
  EXPECT_FALSE(MustCompile("key.id == 1 && value.total > 0").Test(record));
  EXPECT_EQ(record.key_reads, 1);
  EXPECT_EQ(record.value_reads, 0);

  EXPECT_TRUE(MustCompile("topic == 'payments' && value.total > 100").Test(record));
  EXPECT_EQ(record.value_reads, 1);
  // An n-ary chain stops at the first decisive operand.
  EXPECT_TRUE(MustCompile("value.nope || value.total > 1 || headers.a || headers.b").Test(record));
  EXPECT_EQ(record.value_reads, 3);
  EXPECT_EQ(record.header_reads, 0);
}

TEST(ExprShortCircuitTest, InStopsAtTheFirstMatchingItem) {
  CountingRecord record(kOrder);
  EXPECT_TRUE(MustCompile("value.currency in ['EUR', headers.currency]").Test(record));
  EXPECT_EQ(record.header_reads, 0);
  EXPECT_FALSE(MustCompile("value.currency in ['USD', headers.currency]").Test(record));
  EXPECT_EQ(record.header_reads, 1);
}

TEST(ExprFunctionsTest, LowerAndUpperMapAsciiOnly) {
  EXPECT_EQ(Eval("lower('AbC-1')"), R"("abc-1")");
  EXPECT_EQ(Eval("upper('AbC-1')"), R"("ABC-1")");
  EXPECT_EQ(Eval("lower('ÀÉ Zoë')"), R"("ÀÉ zoë")");
  EXPECT_EQ(Eval("upper(value.currency)", kOrder), R"("EUR")");
  EXPECT_TRUE(Truth("lower(value.currency) == 'eur'", kOrder));
  EXPECT_EQ(Eval("lower(1)"), "null");
  EXPECT_EQ(Eval("upper(value.nope)"), "null");
}

TEST(ExprFunctionsTest, LenCountsCodePointsItemsAndMembers) {
  EXPECT_EQ(Eval("len('')"), "0");
  EXPECT_EQ(Eval("len('abc')"), "3");
  EXPECT_EQ(Eval("len('héllo')"), "5");
  EXPECT_EQ(Eval("len('日本語')"), "3");
  EXPECT_EQ(Eval("len('\\ud83d\\ude00')"), "1");  // one code point, four bytes
  EXPECT_EQ(Eval("len(value['first name'])", kOrder), "3");
  EXPECT_EQ(Eval("len(value.items)", kOrder), "2");
  EXPECT_EQ(Eval("len(value.tags)", kOrder), "0");
  EXPECT_EQ(Eval("len(value.customer)", kOrder), "2");
  EXPECT_EQ(Eval("len([1, [2, 3]])"), "2");
  EXPECT_EQ(Eval("len(42)"), "null");
  EXPECT_EQ(Eval("len(value.nope)"), "null");
  EXPECT_EQ(Eval("len(true)"), "null");
}

TEST(ExprFunctionsTest, StartsEndsContains) {
  EXPECT_EQ(Eval("starts_with('order-17', 'order-')"), "true");
  EXPECT_EQ(Eval("starts_with('order-17', '17')"), "false");
  EXPECT_EQ(Eval("ends_with('order-17', '17')"), "true");
  EXPECT_EQ(Eval("ends_with('17', 'order-17')"), "false");
  EXPECT_EQ(Eval("contains('order-17', 'der')"), "true");
  EXPECT_EQ(Eval("contains('order-17', '')"), "true");
  EXPECT_EQ(Eval("contains('Zoë', 'ë')"), "true");
  EXPECT_EQ(Eval("starts_with(value.items[0].sku, 'A-')", kOrder), "true");
  // Non-strings: null (so false in a condition).
  EXPECT_EQ(Eval("starts_with(17, '1')"), "null");
  EXPECT_EQ(Eval("contains(value.items, 'A-1')", kOrder), "null");
  EXPECT_EQ(Eval("ends_with('a', null)"), "null");
  EXPECT_FALSE(Truth("contains(value.nope, 'x')", kOrder));
}

TEST(ExprStringsTest, UnicodeAndEscapes) {
  EXPECT_TRUE(Truth("value['first name'] == 'Zoë'", kOrder));
  EXPECT_TRUE(Truth("value['first name'] == 'Zo\\u00eb'", kOrder));
  EXPECT_TRUE(Truth("'\\ud83d\\ude00' == '😀'"));
  EXPECT_EQ(Eval("'it\\'s'"), R"("it's")");
  EXPECT_EQ(Eval("\"say \\\"hi\\\"\""), R"("say \"hi\"")");
  EXPECT_EQ(Eval("'tab\\there\\nnl \\\\ \\/'"), R"("tab\there\nnl \\ /")");
  EXPECT_EQ(Eval("\"it's\" == 'it\\'s'"), "true");
}

TEST(ExprResultTest, EvaluateToDomCopiesIntoTheTarget) {
  TestRecord record(kOrder);
  rapidjson::Document target;
  rapidjson::Value out;
  MustCompile("value.customer").EvaluateToDom(record, target.GetAllocator(), &out);
  ASSERT_TRUE(out.IsObject());
  EXPECT_STREQ(out["address"]["city"].GetString(), "Berlin");
  MustCompile("upper(value.currency)").EvaluateToDom(record, target.GetAllocator(), &out);
  EXPECT_STREQ(out.GetString(), "EUR");
  MustCompile("[1, value.total, value.nope]").EvaluateToDom(record, target.GetAllocator(), &out);
  ASSERT_TRUE(out.IsArray());
  EXPECT_EQ(out[0].GetInt64(), 1);
  EXPECT_DOUBLE_EQ(out[1].GetDouble(), 120.5);
  EXPECT_TRUE(out[2].IsNull());
}

TEST(ExprResultTest, EvaluateToDomMayReplaceItsOwnSource) {
  rapidjson::Document doc;
  doc.Parse(R"({"payload": {"after": {"id": 1, "name": "a name longer than a short string"}}})");
  FixedRecordView record;
  record.value = &doc;
  MustCompile("value.payload.after").EvaluateToDom(record, doc.GetAllocator(), &doc);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["id"].GetInt64(), 1);
  EXPECT_STREQ(doc["name"].GetString(), "a name longer than a short string");
}

TEST(ExprResultTest, DefaultExpressionIsNull) {
  Expression e;
  TestRecord record(kOrder);
  EXPECT_FALSE(e.Test(record));
  EXPECT_EQ(e.EvaluateToJson(record), "null");
  EXPECT_EQ(e.text(), "");
  EXPECT_EQ(MustCompile(" value.total > 1 ").text(), " value.total > 1 ");
}

}  // namespace
}  // namespace rivven::transforms::expr
