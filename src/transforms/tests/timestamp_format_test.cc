#include "transforms/timestamp_format.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace rivven::transforms {
namespace {

TimestampFormat F(const char* pattern) {
  auto f = TimestampFormat::Compile(pattern);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(f).value();
}

std::string Parsed(const char* pattern, const char* text) {
  auto t = F(pattern).Parse(text);
  if (!t.ok()) return "error: " + t.status().message();
  return std::to_string(t->seconds) + "." + std::to_string(t->nanos);
}

TEST(TimestampFormat, FormatsInUtc) {
  const Instant t = Instant::FromMillis(1700000000123);  // 2023-11-14T22:13:20.123Z, a Tuesday
  EXPECT_EQ(F("yyyy-MM-dd'T'HH:mm:ss.SSSX").Format(t), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(F("yyyyMMdd").Format(t), "20231114");
  EXPECT_EQ(F("yy/M/d h:mm a").Format(t), "23/11/14 10:13 PM");
  EXPECT_EQ(F("EEE, d MMM yyyy HH:mm:ss Z").Format(t), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(F("EEEE MMMM").Format(t), "Tuesday November");
  EXPECT_EQ(F("ss.SSSSSS|SSSSSSSSS|S").Format(Instant{20, 123456789}), "20.123456|123456789|1");
  EXPECT_EQ(F("HH 'o''clock' '' z XXX").Format(Instant{3600, 0}), "01 o'clock ' UTC Z");
  EXPECT_EQ(F("h a").Format(Instant{0, 0}), "12 AM");
}

TEST(TimestampFormat, FormatsBeforeTheEpochAndLeapDays) {
  EXPECT_EQ(F("yyyy-MM-dd HH:mm:ss.SSS").Format(Instant::FromMillis(-1)),
            "1969-12-31 23:59:59.999");
  EXPECT_EQ(F("yyyy-MM-dd E").Format(Instant{951782400, 0}), "2000-02-29 Tue");
  EXPECT_EQ(F("yyyy-MM-dd").Format(Instant{-2208988800, 0}), "1900-01-01");
}

TEST(TimestampFormat, ParsesAndAppliesOffsets) {
  const char* iso = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
  EXPECT_EQ(Parsed(iso, "2023-11-14T22:13:20.123Z"), "1700000000.123000000");
  EXPECT_EQ(Parsed(iso, "2023-11-14T23:13:20.123+01:00"), "1700000000.123000000");
  EXPECT_EQ(Parsed(iso, "2023-11-14T16:43:20.123-0530"), "1700000000.123000000");
  EXPECT_EQ(Parsed("yyyyMMddHHmmss", "20231114221320"), "1700000000.0");
  EXPECT_EQ(Parsed("yyyy-MM-dd", "2023-1-5"), "1672876800.0");
  EXPECT_EQ(Parsed("d MMM yyyy h:mm a", "14 nov 2023 10:13 pm"), "1699999980.0");
  EXPECT_EQ(Parsed("EEE, d MMMM yyyy", "Tue, 14 November 2023"), "1699920000.0");
  EXPECT_EQ(Parsed("ss.S", "01.5"), "1.500000000");
  EXPECT_EQ(Parsed("ss.SSSSSS", "01.000007"), "1.7000");
  EXPECT_EQ(Parsed("yyyy-MM-dd HH:mm:ss z", "1970-01-01 00:00:00 UTC"), "0.0");
  EXPECT_EQ(Parsed("yyyy-MM-dd", "1969-12-31"), "-86400.0");
}

TEST(TimestampFormat, TwoDigitYearsUseTheSimpleDateFormatWindow) {
  const auto year = [](const char* yy) {
    auto t = F("yy").Parse(yy);
    EXPECT_TRUE(t.ok());
    return F("yyyy").Format(*t);
  };
  const int now = std::stoi(F("yyyy").Format(Instant::FromMillis(NowMs())));
  const int start = now - 80;
  const int in_window = std::stoi(year("00"));
  EXPECT_GE(in_window, start);
  EXPECT_LT(in_window, start + 100);
  EXPECT_EQ(in_window % 100, 0);
  EXPECT_EQ(F("yyyy").Parse("0099").value().seconds, F("yyyy").Parse("99").value().seconds);
}

TEST(TimestampFormat, ParseErrors) {
  EXPECT_EQ(Parsed("yyyy-MM-dd", "2023-13-01"),
            "error: '2023-13-01' does not match the date pattern 'yyyy-MM-dd': month out of range");
  EXPECT_EQ(Parsed("yyyy-MM-dd", "2023-02-29"),
            "error: '2023-02-29' does not match the date pattern 'yyyy-MM-dd': day out of range");
  EXPECT_EQ(Parsed("yyyy-MM-dd", "2023-01-01T00"),
            "error: '2023-01-01T00' does not match the date pattern 'yyyy-MM-dd': unexpected "
            "'T00' at the end");
  EXPECT_EQ(Parsed("yyyy-MM-dd", "abc"),
            "error: 'abc' does not match the date pattern 'yyyy-MM-dd': expected digits for 'y'");
  EXPECT_EQ(Parsed("yyyy/MM", "2023-01"),
            "error: '2023-01' does not match the date pattern 'yyyy/MM': expected '/' at '-01'");
  EXPECT_NE(Parsed("HH:mmX", "10:00+2").find("expected a UTC offset"), std::string::npos);
  EXPECT_NE(Parsed("HH", "24").find("hour out of range"), std::string::npos);
  EXPECT_NE(Parsed("h a", "13 PM").find("hour (h) out of range"), std::string::npos);
  EXPECT_NE(Parsed("MMM", "Foo").find("expected a month name"), std::string::npos);
  EXPECT_NE(Parsed("yyyy", "").find("expected digits"), std::string::npos);
}

TEST(TimestampFormat, CompileErrors) {
  EXPECT_EQ(TimestampFormat::Compile("yyyy-MM-ddTHH").status().message(),
            "unsupported letter 'T' in date pattern 'yyyy-MM-ddTHH' (supported: y M d H h m s S "
            "E a Z X z; quote literal text as 'T')");
  EXPECT_EQ(TimestampFormat::Compile("HH 'oops").status().message(),
            "unterminated quote in date pattern 'HH 'oops'");
  EXPECT_FALSE(TimestampFormat::Compile("XXXX").ok());
  EXPECT_TRUE(TimestampFormat::Compile("").ok());
}

}  // namespace
}  // namespace rivven::transforms
