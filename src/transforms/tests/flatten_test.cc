#include "transforms/flatten.h"

#include <string>

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(Flatten, JoinsNestedNamesKeepingOrder) {
  auto t = MakeOk(FlattenDescriptor(), "");
  const auto out = ApplyTo(*t, Rec(R"({"id":1,"address":{"city":"Köln","geo":{"lat":50.9,)"
                                   R"("lon":6.9}},"tags":["a",{"b":1}],"n":null,"ok":true})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value),
            R"({"id":1,"address.city":"Köln","address.geo.lat":50.9,"address.geo.lon":6.9,)"
            R"("tags":["a",{"b":1}],"n":null,"ok":true})");
}

TEST(Flatten, CustomDelimiterAndUnicodeNames) {
  auto t = MakeOk(FlattenDescriptor(), "delimiter: _");
  const auto out = ApplyTo(*t, Rec(R"({"größe":{"wert":1},"日本":{"東京":{"x":"y"}}})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"größe_wert":1,"日本_東京_x":"y"})");
}

TEST(Flatten, EmptyObjectsVanishAndLaterDuplicatesWin) {
  auto t = MakeOk(FlattenDescriptor(), "");
  const auto out = ApplyTo(*t, Rec(R"({"a.b":1,"e":{},"a":{"b":2,"c":{}},"z":0})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"a.b":2,"z":0})");
}

TEST(Flatten, CdcEnvelope) {
  auto t = MakeOk(FlattenDescriptor(), "delimiter: __");
  const auto out = ApplyTo(*t, Rec(R"({"before":null,"after":{"id":7},"source":{"db":"shop",)"
                                   R"("table":"orders","lsn":123},"op":"u"})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value),
            R"({"before":null,"after__id":7,"source__db":"shop","source__table":"orders",)"
            R"("source__lsn":123,"op":"u"})");
}

TEST(Flatten, DeepNestingDoesNotRecurse) {
  std::string json;
  const int depth = 10000;
  for (int i = 0; i < depth; ++i) json += R"({"a":)";
  json += "1";
  for (int i = 0; i < depth; ++i) json += "}";
  auto t = MakeOk(FlattenDescriptor(), "delimiter: \"\"");
  const auto out = ApplyTo(*t, Rec(json));
  EXPECT_KEPT(out);
  EXPECT_EQ(*out.record.value, "{\"" + std::string(depth, 'a') + "\":1}");
}

TEST(Flatten, TombstoneKeySideAndNonObjects) {
  auto t = MakeOk(FlattenDescriptor(), "");
  const auto tomb = ApplyTo(*t, Rec(std::nullopt, R"({"k":{"a":1}})"));
  EXPECT_KEPT(tomb);
  EXPECT_FALSE(tomb.record.value.has_value());
  EXPECT_EQ(Norm(tomb.record.key), R"({"k":{"a":1}})");

  auto k = MakeOk(FlattenDescriptor(), "side: key");
  const auto key = ApplyTo(*k, Rec(R"({"v":{"a":1}})", R"({"k":{"a":1}})"));
  EXPECT_KEPT(key);
  EXPECT_EQ(Norm(key.record.key), R"({"k.a":1})");
  EXPECT_EQ(Norm(key.record.value), R"({"v":{"a":1}})");

  const auto arr = ApplyTo(*t, Rec("[1]"));
  ASSERT_FALSE(arr.outcome.ok());
  EXPECT_EQ(arr.outcome.status().message(), "Flatten: the value is not a JSON object: [1]");
}

TEST(Flatten, ConfigErrors) {
  EXPECT_NE(ConfigError(FlattenDescriptor(), "delimeter: _").find("delimeter"), std::string::npos);
  EXPECT_NE(ConfigError(FlattenDescriptor(), "delimiter: [a]").find("delimiter"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
