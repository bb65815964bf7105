#include "transforms/extract_field.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(ExtractField, UnwrapsTheAfterImageOfACdcEnvelope) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: after");
  const auto out = ApplyTo(*t, Rec(R"({"before":null,"after":{"id":1,"name":"Zoë"},)"
                                   R"("source":{"table":"users"},"op":"c","ts_ms":1700000000000})",
                                   R"({"id":1})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"id":1,"name":"Zoë"})");
  EXPECT_EQ(Norm(out.record.key), R"({"id":1})");
}

TEST(ExtractField, NestedPathAndScalarResult) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: customer.name");
  const auto out = ApplyTo(*t, Rec(R"({"customer":{"name":"東京"}})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(*out.record.value, R"("東京")");
}

TEST(ExtractField, MissingOrNullFieldMakesATombstone) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: after");
  const auto missing = ApplyTo(*t, Rec(R"({"before":{"id":1}})"));
  EXPECT_KEPT(missing);
  EXPECT_FALSE(missing.record.value.has_value());
  // A Debezium delete: after is null.
  const auto deleted = ApplyTo(*t, Rec(R"({"before":{"id":1},"after":null,"op":"d"})"));
  EXPECT_KEPT(deleted);
  EXPECT_FALSE(deleted.record.value.has_value());
}

TEST(ExtractField, TombstoneStaysNull) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: after");
  const auto out = ApplyTo(*t, Rec(std::nullopt, R"({"id":1})"));
  EXPECT_KEPT(out);
  EXPECT_FALSE(out.record.value.has_value());
  EXPECT_EQ(Norm(out.record.key), R"({"id":1})");
}

TEST(ExtractField, KeySide) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: id\nside: key");
  const auto out = ApplyTo(*t, Rec(R"({"id":5,"x":1})", R"({"id":5})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(*out.record.key, "5");
  EXPECT_EQ(Norm(out.record.value), R"({"id":5,"x":1})");
  const auto no_key = ApplyTo(*t, Rec(R"({"id":5})"));
  EXPECT_KEPT(no_key);
  EXPECT_FALSE(no_key.record.key.has_value());
}

TEST(ExtractField, NonObjectFails) {
  auto t = MakeOk(ExtractFieldDescriptor(), "field: a");
  const auto out = ApplyTo(*t, Rec("\"text\""));
  ASSERT_FALSE(out.outcome.ok());
  EXPECT_EQ(out.outcome.status().message(),
            "ExtractField: the value is not a JSON object: \"text\"");
  const auto key =
      ApplyTo(*MakeOk(ExtractFieldDescriptor(), "{field: a, side: key}"), Rec("{}", "plain-key"));
  ASSERT_FALSE(key.outcome.ok());
  EXPECT_NE(key.outcome.status().message().find("ExtractField: key is not valid JSON"),
            std::string::npos)
      << key.outcome.status().message();
}

TEST(ExtractField, ConfigErrors) {
  EXPECT_NE(ConfigError(ExtractFieldDescriptor(), "side: value").find("field"), std::string::npos);
  EXPECT_NE(ConfigError(ExtractFieldDescriptor(), "{field: a, side: both}").find("side"),
            std::string::npos);
  EXPECT_EQ(ConfigError(ExtractFieldDescriptor(), "field: \"a.\""),
            "field: empty field name in path 'a.'");
}

}  // namespace
}  // namespace rivven::transforms
