#include "transforms/set_null.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Rec;

Record Full() {
  Record r = Rec(R"({"id":1,"deleted":true})", R"({"id":1})", "users");
  r.headers.push_back({"h", "v"});
  r.timestamp_ms = 42;
  return r;
}

TEST(SetNull, ValueByDefault) {
  const auto out = ApplyTo(*MakeOk(SetNullDescriptor(), ""), Full());
  EXPECT_KEPT(out);
  EXPECT_FALSE(out.record.value.has_value());
  EXPECT_EQ(*out.record.key, R"({"id":1})");
  EXPECT_EQ(out.record.headers.size(), 1u);
  EXPECT_EQ(out.record.timestamp_ms, 42);
  EXPECT_EQ(out.topic, "users");
}

TEST(SetNull, KeyOrBoth) {
  const auto key = ApplyTo(*MakeOk(SetNullDescriptor(), "side: key"), Full());
  EXPECT_KEPT(key);
  EXPECT_FALSE(key.record.key.has_value());
  EXPECT_EQ(*key.record.value, R"({"id":1,"deleted":true})");
  const auto both = ApplyTo(*MakeOk(SetNullDescriptor(), "side: both"), Full());
  EXPECT_KEPT(both);
  EXPECT_FALSE(both.record.key.has_value());
  EXPECT_FALSE(both.record.value.has_value());
}

TEST(SetNull, AlreadyNullAndNotJson) {
  auto t = MakeOk(SetNullDescriptor(), "side: both");
  const auto tomb = ApplyTo(*t, Rec(std::nullopt));
  EXPECT_KEPT(tomb);
  EXPECT_FALSE(tomb.record.value.has_value());
  const auto text = ApplyTo(*t, Rec("not json", "also not"));
  EXPECT_KEPT(text);
  EXPECT_FALSE(text.record.value.has_value());
  EXPECT_FALSE(text.record.key.has_value());
}

TEST(SetNull, ConfigErrors) {
  EXPECT_NE(ConfigError(SetNullDescriptor(), "side: header").find("side"), std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
