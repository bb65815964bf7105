#include "transforms/cast.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

std::string CastOne(const std::string& type, const std::string& json) {
  auto t = MakeOk(CastDescriptor(), "spec: {v: " + type + "}");
  const auto out = ApplyTo(*t, Rec(R"({"v":)" + json + "}"));
  if (!out.outcome.ok()) return "error: " + out.outcome.status().message();
  return Norm(out.record.value);
}

TEST(Cast, ToIntegers) {
  EXPECT_EQ(CastOne("int32", R"("12")"), R"({"v":12})");
  EXPECT_EQ(CastOne("int32", R"("-7")"), R"({"v":-7})");
  EXPECT_EQ(CastOne("int64", R"("+9223372036854775807")"), R"({"v":9223372036854775807})");
  EXPECT_EQ(CastOne("int32", "12.9"), R"({"v":12})");  // truncates like Java
  EXPECT_EQ(CastOne("int32", "-12.9"), R"({"v":-12})");
  EXPECT_EQ(CastOne("int8", "true"), R"({"v":1})");
  EXPECT_EQ(CastOne("int16", "false"), R"({"v":0})");
  EXPECT_EQ(CastOne("int8", "-128"), R"({"v":-128})");
  EXPECT_EQ(CastOne("int64", "null"), R"({"v":null})");
}

TEST(Cast, IntegerFailuresNameFieldAndValue) {
  EXPECT_EQ(CastOne("int32", R"("abc")"), R"(error: Cast: field 'v': cannot cast "abc" to int32)");
  EXPECT_EQ(CastOne("int8", "128"), "error: Cast: field 'v': cannot cast 128 to int8");
  EXPECT_EQ(CastOne("int16", "40000"), "error: Cast: field 'v': cannot cast 40000 to int16");
  EXPECT_EQ(CastOne("int32", "3000000000"),
            "error: Cast: field 'v': cannot cast 3000000000 to int32");
  EXPECT_EQ(CastOne("int64", "18446744073709551615"),
            "error: Cast: field 'v': cannot cast 18446744073709551615 to int64");
  EXPECT_EQ(CastOne("int64", "1e300"), "error: Cast: field 'v': cannot cast 1e300 to int64");
  EXPECT_EQ(CastOne("int32", R"("1.5")"), R"(error: Cast: field 'v': cannot cast "1.5" to int32)");
  EXPECT_EQ(CastOne("int32", R"(" 1")"), R"(error: Cast: field 'v': cannot cast " 1" to int32)");
  EXPECT_EQ(CastOne("int32", R"("")"), R"(error: Cast: field 'v': cannot cast "" to int32)");
  EXPECT_EQ(CastOne("int32", R"({"a":1})"),
            R"(error: Cast: field 'v': cannot cast {"a":1} to int32)");
  EXPECT_EQ(CastOne("int32", "[1]"), "error: Cast: field 'v': cannot cast [1] to int32");
}

TEST(Cast, ToFloats) {
  EXPECT_EQ(CastOne("float64", "3"), R"({"v":3.0})");
  EXPECT_EQ(CastOne("float64", R"("2.5e3")"), R"({"v":2500.0})");
  EXPECT_EQ(CastOne("float64", R"("-0.1")"), R"({"v":-0.1})");
  EXPECT_EQ(CastOne("float64", "true"), R"({"v":1.0})");
  EXPECT_EQ(CastOne("float32", "1.1"), R"({"v":1.1})");  // printed as the float prints
  EXPECT_EQ(CastOne("float32", "0.123456789"), R"({"v":0.12345679})");
  EXPECT_EQ(CastOne("float32", "1e39"), "error: Cast: field 'v': cannot cast 1e39 to float32");
  EXPECT_EQ(CastOne("float64", R"("nan")"),
            R"(error: Cast: field 'v': cannot cast "nan" to float64)");
  EXPECT_EQ(CastOne("float64", R"("12abc")"),
            R"(error: Cast: field 'v': cannot cast "12abc" to float64)");
}

TEST(Cast, ToBooleanAndString) {
  EXPECT_EQ(CastOne("boolean", "0"), R"({"v":false})");
  EXPECT_EQ(CastOne("boolean", "-2.5"), R"({"v":true})");
  EXPECT_EQ(CastOne("boolean", R"("TRUE")"), R"({"v":true})");
  EXPECT_EQ(CastOne("boolean", R"("False")"), R"({"v":false})");
  EXPECT_EQ(CastOne("boolean", R"("yes")"),
            R"(error: Cast: field 'v': cannot cast "yes" to boolean)");
  EXPECT_EQ(CastOne("string", "12"), R"({"v":"12"})");
  EXPECT_EQ(CastOne("string", "1.5"), R"({"v":"1.5"})");
  EXPECT_EQ(CastOne("string", "true"), R"({"v":"true"})");
  EXPECT_EQ(CastOne("string", R"("ünïcødé ✓")"), R"({"v":"ünïcødé ✓"})");
  EXPECT_EQ(CastOne("string", R"({"a":[1,"x"]})"), R"({"v":"{\"a\":[1,\"x\"]}"})");
  EXPECT_EQ(CastOne("string", "null"), R"({"v":null})");
}

TEST(Cast, KafkaStringSpecNestedAndMissingFields) {
  auto t = MakeOk(CastDescriptor(), R"(spec: "amount:float64, qty:int32,customer.vip:boolean")");
  const auto out =
      ApplyTo(*t, Rec(R"({"amount":"19.99","qty":"3","customer":{"vip":1,"n":"Ann"}})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value),
            R"({"amount":19.99,"qty":3,"customer":{"vip":true,"n":"Ann"}})");
  const auto missing = ApplyTo(*t, Rec(R"({"other":1})"));
  EXPECT_KEPT(missing);
  EXPECT_EQ(Norm(missing.record.value), R"({"other":1})");
}

TEST(Cast, CdcEnvelopeAfterFields) {
  auto t = MakeOk(CastDescriptor(), "spec: {after.price: float64, before.price: float64}");
  const auto out =
      ApplyTo(*t, Rec(R"({"before":null,"after":{"id":1,"price":"10.50"},"op":"c","ts_ms":1})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value),
            R"({"before":null,"after":{"id":1,"price":10.5},"op":"c","ts_ms":1})");
}

TEST(Cast, WholeValueAndKey) {
  auto whole = MakeOk(CastDescriptor(), "spec: int64");
  const auto out = ApplyTo(*whole, Rec(R"("42")"));
  EXPECT_KEPT(out);
  EXPECT_EQ(*out.record.value, "42");
  const auto bad = ApplyTo(*whole, Rec(R"("4x")"));
  ASSERT_FALSE(bad.outcome.ok());
  EXPECT_EQ(bad.outcome.status().message(), R"(Cast: cannot cast the value "4x" to int64)");

  auto key = MakeOk(CastDescriptor(), "{spec: string, side: key}");
  const auto k = ApplyTo(*key, Rec(R"({"a":1})", "7"));
  EXPECT_KEPT(k);
  EXPECT_EQ(*k.record.key, R"("7")");
  EXPECT_EQ(Norm(k.record.value), R"({"a":1})");
}

TEST(Cast, TombstoneAndNonObject) {
  auto t = MakeOk(CastDescriptor(), "spec: {a: int32}");
  const auto tomb = ApplyTo(*t, Rec(std::nullopt));
  EXPECT_KEPT(tomb);
  EXPECT_FALSE(tomb.record.value.has_value());
  const auto arr = ApplyTo(*t, Rec("[1]"));
  ASSERT_FALSE(arr.outcome.ok());
  EXPECT_EQ(arr.outcome.status().message(), "Cast: the value is not a JSON object: [1]");
}

TEST(Cast, ConfigErrors) {
  const std::string p = "spec";
  EXPECT_EQ(ConfigError(CastDescriptor(), "spec: {a: int33}"),
            p + ": unknown type 'int33' (expected one of int8, int16, int32, int64, float32, "
                "float64, boolean, string)");
  EXPECT_EQ(ConfigError(CastDescriptor(), R"(spec: "a:int32,b")"), p + ": 'b' is not field:type");
  EXPECT_EQ(ConfigError(CastDescriptor(), "spec: {a: [int32]}"),
            "spec: field 'a': expected a type name");
  EXPECT_EQ(ConfigError(CastDescriptor(), "spec: {}"), p + ": name at least one field to cast");
  EXPECT_EQ(ConfigError(CastDescriptor(), "spec: [a]"),
            p + ": expected a map of field: type, a \"field:type,...\" string or a single type");
  EXPECT_NE(ConfigError(CastDescriptor(), "side: key").find("spec"), std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
