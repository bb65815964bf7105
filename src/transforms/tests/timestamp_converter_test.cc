#include "transforms/timestamp_converter.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

// 2023-11-14T22:13:20.123456789Z
constexpr const char* kIso = "yyyy-MM-dd'T'HH:mm:ss.SSSX";

std::string Convert(const std::string& config, const std::string& ts) {
  auto t = MakeOk(TimestampConverterDescriptor(), config);
  if (t == nullptr) return "bad config";
  const auto out = ApplyTo(*t, Rec(R"({"id":1,"ts":)" + ts + "}"));
  if (!out.outcome.ok()) return "error: " + out.outcome.status().message();
  return Norm(out.record.value);
}

TEST(TimestampConverter, UnixMillisToString) {
  EXPECT_EQ(Convert(std::string("{field: ts, target.type: string, format: \"") + kIso + "\"}",
                    "1700000000123"),
            R"({"id":1,"ts":"2023-11-14T22:13:20.123Z"})");
}

TEST(TimestampConverter, StringToEveryTarget) {
  const std::string base = std::string("field: ts\nformat: \"") + kIso + "\"\ntarget.type: ";
  const std::string in = R"("2023-11-14T23:13:20.123+01:00")";
  EXPECT_EQ(Convert(base + "unix", in), R"({"id":1,"ts":1700000000123})");
  EXPECT_EQ(Convert(base + "unix\nunix.precision: seconds", in), R"({"id":1,"ts":1700000000})");
  EXPECT_EQ(Convert(base + "unix\nunix.precision: microseconds", in),
            R"({"id":1,"ts":1700000000123000})");
  EXPECT_EQ(Convert(base + "unix\nunix.precision: nanoseconds", in),
            R"({"id":1,"ts":1700000000123000000})");
  EXPECT_EQ(Convert(base + "Timestamp", in), R"({"id":1,"ts":1700000000123})");
  EXPECT_EQ(Convert(base + "Date", in), R"({"id":1,"ts":1699920000000})");
  EXPECT_EQ(Convert(base + "Time", in), R"({"id":1,"ts":80000123})");
  EXPECT_EQ(Convert(base + "string", in), R"({"id":1,"ts":"2023-11-14T22:13:20.123Z"})");
}

TEST(TimestampConverter, UnixPrecisionOnInput) {
  const std::string out = "{field: ts, target.type: string, format: \"yyyy-MM-dd HH:mm:ss.SSSSSS\"";
  EXPECT_EQ(Convert(out + ", unix.precision: seconds}", "1700000000"),
            R"({"id":1,"ts":"2023-11-14 22:13:20.000000"})");
  EXPECT_EQ(Convert(out + ", unix.precision: seconds}", "1700000000.25"),
            R"({"id":1,"ts":"2023-11-14 22:13:20.250000"})");
  EXPECT_EQ(Convert(out + ", unix.precision: microseconds}", "1700000000123456"),
            R"({"id":1,"ts":"2023-11-14 22:13:20.123456"})");
  EXPECT_EQ(Convert(out + ", unix.precision: nanoseconds}", "1700000000123456789"),
            R"({"id":1,"ts":"2023-11-14 22:13:20.123456"})");
  EXPECT_EQ(Convert(out + "}", "-1"), R"({"id":1,"ts":"1969-12-31 23:59:59.999000"})");
}

TEST(TimestampConverter, MissingNullAndTombstone) {
  auto t = MakeOk(TimestampConverterDescriptor(), "{field: ts, target.type: Timestamp}");
  const auto missing = ApplyTo(*t, Rec(R"({"id":1})"));
  EXPECT_KEPT(missing);
  EXPECT_EQ(Norm(missing.record.value), R"({"id":1})");
  const auto null = ApplyTo(*t, Rec(R"({"ts":null})"));
  EXPECT_KEPT(null);
  EXPECT_EQ(Norm(null.record.value), R"({"ts":null})");
  const auto tomb = ApplyTo(*t, Rec(std::nullopt));
  EXPECT_KEPT(tomb);
  EXPECT_FALSE(tomb.record.value.has_value());
}

TEST(TimestampConverter, BadInputNamesFieldAndValue) {
  EXPECT_EQ(Convert("{field: ts, target.type: unix, format: yyyy-MM-dd}", R"("14.11.2023")"),
            "error: TimestampConverter: field 'ts': '14.11.2023' does not match the date "
            "pattern 'yyyy-MM-dd': expected '-' at '.11.2023'");
  EXPECT_EQ(Convert("{field: ts, target.type: unix}", R"("2023-11-14")"),
            "error: TimestampConverter: field 'ts': cannot read the string \"2023-11-14\" as a "
            "timestamp without `format`");
  EXPECT_EQ(Convert("{field: ts, target.type: unix}", "true"),
            "error: TimestampConverter: field 'ts': cannot read true as a timestamp (expected a "
            "number or a string)");
  EXPECT_EQ(Convert("{field: ts, target.type: unix, unix.precision: nanoseconds, format: yyyy}",
                    R"("9999")"),
            "error: TimestampConverter: field 'ts': timestamp out of range for "
            "unix.nanoseconds");
}

TEST(TimestampConverter, WholeValueNestedFieldAndKey) {
  auto whole = MakeOk(TimestampConverterDescriptor(), "{target.type: string, format: yyyyMMdd}");
  const auto w = ApplyTo(*whole, Rec("1700000000123"));
  EXPECT_KEPT(w);
  EXPECT_EQ(*w.record.value, R"("20231114")");

  auto cdc = MakeOk(TimestampConverterDescriptor(),
                    "{field: after.updated, target.type: Timestamp, unix.precision: "
                    "microseconds}");
  const auto c =
      ApplyTo(*cdc, Rec(R"({"before":null,"after":{"id":1,"updated":1700000000123456},"op":"c"})"));
  EXPECT_KEPT(c);
  EXPECT_EQ(Norm(c.record.value),
            R"({"before":null,"after":{"id":1,"updated":1700000000123},"op":"c"})");

  auto key = MakeOk(TimestampConverterDescriptor(),
                    "{field: day, side: key, target.type: string, format: yyyy-MM-dd}");
  const auto k = ApplyTo(*key, Rec("{}", R"({"day":0})"));
  EXPECT_KEPT(k);
  EXPECT_EQ(Norm(k.record.key), R"({"day":"1970-01-01"})");
}

TEST(TimestampConverter, ConfigErrors) {
  EXPECT_EQ(ConfigError(TimestampConverterDescriptor(), "{field: ts, target.type: string}"),
            "format: required when target.type is string");
  EXPECT_EQ(ConfigError(TimestampConverterDescriptor(),
                        "{field: ts, target.type: unix, format: yyyy-MM-ddTHH}"),
            "format: unsupported letter 'T' in date pattern 'yyyy-MM-ddTHH' (supported: y "
            "M d H h m s S E a Z X z; quote literal text as 'T')");
  EXPECT_NE(ConfigError(TimestampConverterDescriptor(), "{field: ts, target.type: epoch}")
                .find("target.type"),
            std::string::npos);
  EXPECT_NE(
      ConfigError(TimestampConverterDescriptor(), "{target.type: unix, unix.precision: millis}")
          .find("unix.precision"),
      std::string::npos);
  EXPECT_NE(ConfigError(TimestampConverterDescriptor(), "field: ts").find("target.type"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
