#include "record/json.h"

#include <ctime>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace rivven::json {
namespace {

TEST(JsonTest, IsJsonAcceptsAnyValueAndRejectsGarbage) {
  EXPECT_TRUE(IsJson("{}"));
  EXPECT_TRUE(IsJson(" [1, 2.5e3, -0.1, true, false, null, \"x\"] "));
  EXPECT_TRUE(IsJson("42"));
  EXPECT_TRUE(IsJson("\"text\""));
  EXPECT_TRUE(IsJson("{\"a\":{\"b\":[{}]}}"));
  EXPECT_FALSE(IsJson(""));
  EXPECT_FALSE(IsJson("   "));
  EXPECT_FALSE(IsJson("hello"));
  EXPECT_FALSE(IsJson("{\"a\":1"));
  EXPECT_FALSE(IsJson("{\"a\":1}}"));
  EXPECT_FALSE(IsJson("1 2"));
  EXPECT_FALSE(IsJson("NaN"));
  EXPECT_FALSE(IsJson("{'a':1}"));
  EXPECT_FALSE(IsJson("\"\xFF\""));  // invalid UTF-8
}

TEST(JsonTest, IsJsonRejectsEmbeddedNul) {
  EXPECT_FALSE(IsJson(std::string_view("1\0 2", 4)));
  EXPECT_FALSE(IsJson(std::string_view("{}\0", 3)));
}

TEST(JsonTest, DeepNestingDoesNotOverflowTheStack) {
  std::string deep(200'000, '[');
  deep.append(200'000, ']');
  EXPECT_TRUE(IsJson(deep));
  auto compact = CompactJson(deep);
  ASSERT_TRUE(compact.ok());
  EXPECT_EQ(*compact, deep);
}

TEST(JsonTest, PrettyJsonIndentsLikeJsonStringify) {
  auto r = PrettyJson(R"({"a":1,"b":[true,null,{}],"c":{"d":"x"},"e":[]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r,
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    true,\n"
            "    null,\n"
            "    {}\n"
            "  ],\n"
            "  \"c\": {\n"
            "    \"d\": \"x\"\n"
            "  },\n"
            "  \"e\": []\n"
            "}");
}

TEST(JsonTest, PrettyJsonOfScalarIsTheScalar) {
  EXPECT_EQ(*PrettyJson(" 12 "), "12");
  EXPECT_EQ(*PrettyJson("\"a\""), "\"a\"");
}

TEST(JsonTest, NumbersAreCopiedDigitForDigit) {
  const std::string text = R"([1.50,1e300,12345678901234567890123,-0.0,3.141592653589793238462643])";
  auto r = CompactJson(text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, text);
}

TEST(JsonTest, NumbersBeyondDoubleRangeAreRejected) {
  // A documented limit of the parser (RFC 8259 section 9 allows one).
  EXPECT_FALSE(IsJson("1e400"));
}

TEST(JsonTest, CompactRemovesWhitespaceAndKeepsStrings) {
  auto r = CompactJson("{\n  \"a b\" : [ 1 , \"x\\ny\\u00e9\" ]\n}\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{\"a b\":[1,\"x\\ny\xC3\xA9\"]}");
}

TEST(JsonTest, ErrorsNameTheOffset) {
  auto r = PrettyJson("{\"a\":}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("byte 5"), std::string::npos) << r.status().message();
}

TEST(JsonTest, AppendJsonOrString) {
  auto f = [](std::optional<std::string> v) {
    std::string out;
    AppendJsonOrString(out, v);
    return out;
  };
  EXPECT_EQ(f(std::nullopt), "null");
  EXPECT_EQ(f("{\"id\":1}"), "{\"id\":1}");
  EXPECT_EQ(f("42"), "42");
  EXPECT_EQ(f("plain text"), "\"plain text\"");
  EXPECT_EQ(f("{\n\"id\": 1\n}"), "{\"id\":1}");
  EXPECT_EQ(f("line1\nline2"), "\"line1\\nline2\"");
  EXPECT_EQ(f(""), "\"\"");
}

TEST(JsonTest, AppendIntAndFixed2) {
  std::string out;
  AppendInt(out, -42);
  out.push_back(' ');
  AppendInt(out, std::numeric_limits<int64_t>::min());
  out.push_back(' ');
  AppendFixed2(out, 0);
  out.push_back(' ');
  AppendFixed2(out, 5);
  out.push_back(' ');
  AppendFixed2(out, 123456);
  out.push_back(' ');
  AppendFixed2(out, -1205);
  out.push_back(' ');
  AppendFixed2(out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "-42 -9223372036854775808 0.00 0.05 1234.56 -12.05 -92233720368547758.08");
}

std::string Iso(TimestampMs ms) {
  std::string out;
  AppendIsoTimestamp(out, ms);
  return out;
}

TEST(JsonTest, IsoTimestampGoldens) {
  EXPECT_EQ(Iso(0), "\"1970-01-01T00:00:00.000Z\"");
  EXPECT_EQ(Iso(1704067200000), "\"2024-01-01T00:00:00.000Z\"");
  EXPECT_EQ(Iso(951782400123), "\"2000-02-29T00:00:00.123Z\"");
  EXPECT_EQ(Iso(-1), "\"1969-12-31T23:59:59.999Z\"");
  EXPECT_EQ(Iso(253402300799999), "\"9999-12-31T23:59:59.999Z\"");
}

TEST(JsonTest, IsoTimestampMatchesGmtime) {
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Instants between 1900 and 2200.
    const int64_t ms = static_cast<int64_t>(x % 9'467'280'000'000ULL) - 2'208'988'800'000LL;
    int64_t secs = ms / 1000;
    int64_t rem = ms % 1000;
    if (rem < 0) {
      rem += 1000;
      --secs;
    }
    const time_t t = static_cast<time_t>(secs);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(rem));
    ASSERT_EQ(Iso(ms), buf) << ms;
  }
}

}  // namespace
}  // namespace rivven::json
