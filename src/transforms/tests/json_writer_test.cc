#include "transforms/json_writer.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace rivven::transforms {
namespace {

std::string Ours(const rapidjson::Value& v) {
  std::string out = "prefix:";
  AppendJson(v, out);
  return out.substr(7);
}

std::string Theirs(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

TEST(AppendJson, SameBytesAsRapidJsonWriter) {
  const char* docs[] = {
      R"({})",
      R"([])",
      R"({"a":{},"b":[],"c":[{}],"d":[[],[[]]]})",
      R"({"s":"plain","u":"Zoë 日本 🎉","e":"q\"b\\s/\b\f\n\r\t\u0001\u001f\u007f"})",
      R"([0,-1,2147483647,-2147483648,4294967295,4294967296,-9223372036854775808,)"
      R"(18446744073709551615,0.1,-0.0,1e300,5e-324,123456.789,100.0,1.5e-7])",
      R"([true,false,null,"",{"":""}])",
      R"("just a string")",
      R"(42)",
      R"(null)",
  };
  for (const char* text : docs) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(text);
    ASSERT_FALSE(d.HasParseError()) << text;
    EXPECT_EQ(Ours(d), Theirs(d)) << text;
  }
}

TEST(AppendJson, NonFiniteNumbersAreNull) {
  rapidjson::Document d;
  d.SetArray();
  d.PushBack(std::nan(""), d.GetAllocator());
  d.PushBack(std::numeric_limits<double>::infinity(), d.GetAllocator());
  d.PushBack(-std::numeric_limits<double>::infinity(), d.GetAllocator());
  d.PushBack(1.5, d.GetAllocator());
  EXPECT_EQ(Ours(d), "[null,null,null,1.5]");
}

TEST(AppendJson, DeepNestingDoesNotRecurse) {
  constexpr int kDepth = 1000000;
  std::string text(kDepth, '[');
  text.append(kDepth, ']');
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(Ours(d), text);
}

}  // namespace
}  // namespace rivven::transforms
