#include "transforms/value_to_key.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(ValueToKey, CopiesFieldsInConfigOrder) {
  auto t = MakeOk(ValueToKeyDescriptor(), "fields: [b, a]");
  const auto out = ApplyTo(*t, Rec(R"({"a":1,"b":"x","c":true})", R"("old")"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"b":"x","a":1})");
  EXPECT_EQ(Norm(out.record.value), R"({"a":1,"b":"x","c":true})");
}

TEST(ValueToKey, KafkaCommaSeparatedListAndNestedPaths) {
  auto t = MakeOk(ValueToKeyDescriptor(), R"(fields: "id, address.country, a\\.b")");
  const auto out =
      ApplyTo(*t, Rec(R"({"id":7,"address":{"country":"DE","city":"Köln"},"a.b":"dot"})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"id":7,"address":{"country":"DE"},"a.b":"dot"})");
}

TEST(ValueToKey, MissingAndNullFieldsBecomeNull) {
  auto t = MakeOk(ValueToKeyDescriptor(), "fields: [id, gone, n]");
  const auto out = ApplyTo(*t, Rec(R"({"id":"ü✓","n":null})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"id":"ü✓","gone":null,"n":null})");
}

TEST(ValueToKey, CopiesObjectsAndArraysDeeply) {
  auto t = MakeOk(ValueToKeyDescriptor(), "fields: [tags, pk]");
  const auto out = ApplyTo(*t, Rec(R"({"tags":["a",{"b":[1,2]}],"pk":{"x":1,"y":2}})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"tags":["a",{"b":[1,2]}],"pk":{"x":1,"y":2}})");
  EXPECT_EQ(Norm(out.record.value), R"({"tags":["a",{"b":[1,2]}],"pk":{"x":1,"y":2}})");
}

TEST(ValueToKey, TombstoneKeepsItsKey) {
  auto t = MakeOk(ValueToKeyDescriptor(), "fields: [id]");
  const auto out = ApplyTo(*t, Rec(std::nullopt, R"({"id":3})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"id":3})");
  EXPECT_FALSE(out.record.value.has_value());
}

TEST(ValueToKey, NonObjectOrInvalidValueFails) {
  auto t = MakeOk(ValueToKeyDescriptor(), "fields: [id]");
  const auto array = ApplyTo(*t, Rec("[1,2]"));
  ASSERT_FALSE(array.outcome.ok());
  EXPECT_EQ(array.outcome.status().message(), "ValueToKey: the value is not a JSON object: [1,2]");
  const auto bad = ApplyTo(*t, Rec("{oops"));
  ASSERT_FALSE(bad.outcome.ok());
  EXPECT_NE(bad.outcome.status().message().find("value is not valid JSON"), std::string::npos);
}

TEST(ValueToKey, ConfigErrors) {
  EXPECT_NE(ConfigError(ValueToKeyDescriptor(), "").find("fields"), std::string::npos);
  EXPECT_NE(ConfigError(ValueToKeyDescriptor(), "fields: [a]\nfeilds: [b]").find("feilds"),
            std::string::npos);
  EXPECT_EQ(ConfigError(ValueToKeyDescriptor(), "fields: [a..b]"),
            "fields: empty field name in path 'a..b'");
  EXPECT_EQ(ConfigError(ValueToKeyDescriptor(), "fields: []"), "fields: name at least one field");
}

}  // namespace
}  // namespace rivven::transforms
