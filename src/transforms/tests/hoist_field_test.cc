#include "transforms/hoist_field.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(HoistField, WrapsAnyJsonValue) {
  auto t = MakeOk(HoistFieldDescriptor(), "field: payload");
  EXPECT_EQ(Norm(ApplyTo(*t, Rec("42")).record.value), R"({"payload":42})");
  EXPECT_EQ(Norm(ApplyTo(*t, Rec(R"({"a":[1,"ß"]})")).record.value),
            R"({"payload":{"a":[1,"ß"]}})");
  EXPECT_EQ(Norm(ApplyTo(*t, Rec(R"("x")")).record.value), R"({"payload":"x"})");
}

TEST(HoistField, DottedFieldNests) {
  auto t = MakeOk(HoistFieldDescriptor(), "field: data.row");
  EXPECT_EQ(Norm(ApplyTo(*t, Rec(R"({"id":1})")).record.value), R"({"data":{"row":{"id":1}}})");
}

TEST(HoistField, TombstoneIsHoistedAsNullLikeKafkaConnect) {
  auto t = MakeOk(HoistFieldDescriptor(), "field: v");
  const auto out = ApplyTo(*t, Rec(std::nullopt));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"v":null})");
}

TEST(HoistField, PlainTextIsHoistedAsAString) {
  auto t = MakeOk(HoistFieldDescriptor(), "field: line");
  const auto out = ApplyTo(*t, Rec("plain text with \"quotes\" and ü"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"line":"plain text with \"quotes\" and ü"})");
  const auto binary = ApplyTo(*t, Rec(std::string("\xff\xfe", 2)));
  ASSERT_FALSE(binary.outcome.ok());
  EXPECT_EQ(binary.outcome.status().message(),
            "HoistField: the value is neither JSON nor UTF-8 text");
}

TEST(HoistField, KeySide) {
  auto t = MakeOk(HoistFieldDescriptor(), "{field: id, side: key}");
  const auto out = ApplyTo(*t, Rec(R"({"a":1})", "17"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.key), R"({"id":17})");
  EXPECT_EQ(Norm(out.record.value), R"({"a":1})");
}

TEST(HoistField, ConfigErrors) {
  EXPECT_NE(ConfigError(HoistFieldDescriptor(), "").find("field"), std::string::npos);
  EXPECT_NE(ConfigError(HoistFieldDescriptor(), "field: \"\"").find("empty field path"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
