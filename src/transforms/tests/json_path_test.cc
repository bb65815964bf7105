#include "transforms/json_path.h"

#include <gtest/gtest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace rivven::transforms {
namespace {

std::string Dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

rapidjson::Document Doc(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

TEST(JsonPath, SplitsOnDotsWithEscapes) {
  EXPECT_EQ(JsonPath("a").segments(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(JsonPath("a.b.c").segments(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(JsonPath("a\\.b.c").segments(), (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(JsonPath("a\\\\.b").segments(), (std::vector<std::string>{"a\\", "b"}));
  EXPECT_EQ(JsonPath("a.b").text(), "a.b");
  EXPECT_EQ(JsonPath("a.b").leaf(), "b");
  EXPECT_TRUE(JsonPath("a.b").error().empty());
}

TEST(JsonPath, EmptySegmentsAreErrorsAndMatchNothing) {
  EXPECT_EQ(JsonPath("").error(), "empty field path");
  EXPECT_EQ(JsonPath("a..b").error(), "empty field name in path 'a..b'");
  EXPECT_FALSE(JsonPath(".a").error().empty());
  rapidjson::Document d = Doc(R"({"a":{"b":1}})");
  EXPECT_EQ(GetPath(d, JsonPath("a..b")), nullptr);
}

TEST(JsonPath, GetNestedMissingAndNull) {
  rapidjson::Document d = Doc(R"({"a":{"b":{"c":7},"n":null},"s":"x"})");
  ASSERT_NE(GetPath(d, JsonPath("a.b.c")), nullptr);
  EXPECT_EQ(GetPath(d, JsonPath("a.b.c"))->GetInt(), 7);
  EXPECT_TRUE(GetPath(d, JsonPath("a.n"))->IsNull());
  EXPECT_EQ(GetPath(d, JsonPath("a.x")), nullptr);
  EXPECT_EQ(GetPath(d, JsonPath("s.length")), nullptr);  // parent not an object
  EXPECT_EQ(GetPath(d, JsonPath("a.n.x")), nullptr);
  const rapidjson::Value& cd = d;
  EXPECT_EQ(GetPath(cd, JsonPath("s"))->GetString(), std::string("x"));
  EXPECT_EQ(GetParent(d, JsonPath("a.b.c")), GetPath(d, JsonPath("a.b")));
  EXPECT_EQ(GetParent(d, JsonPath("top")), &static_cast<rapidjson::Value&>(d));
}

TEST(JsonPath, SetReplacesInPlaceAppendsAndCreatesParents) {
  rapidjson::Document d = Doc(R"({"a":1,"b":{"c":2},"z":0})");
  auto& alloc = d.GetAllocator();
  rapidjson::Value v(10);
  EXPECT_TRUE(SetPath(d, JsonPath("a"), v, alloc));
  rapidjson::Value w("new", alloc);
  EXPECT_TRUE(SetPath(d, JsonPath("b.d"), w, alloc));
  rapidjson::Value x(true);
  EXPECT_TRUE(SetPath(d, JsonPath("p.q.r"), x, alloc));
  EXPECT_EQ(Dump(d), R"({"a":10,"b":{"c":2,"d":"new"},"z":0,"p":{"q":{"r":true}}})");
}

TEST(JsonPath, SetFailsThroughNonObjectsWithoutChanges) {
  rapidjson::Document d = Doc(R"({"a":[1],"s":"x"})");
  rapidjson::Value v(1);
  EXPECT_FALSE(SetPath(d, JsonPath("a.b"), v, d.GetAllocator()));
  EXPECT_FALSE(SetPath(d, JsonPath("s.b.c"), v, d.GetAllocator()));
  EXPECT_EQ(v.GetInt(), 1);  // not consumed
  EXPECT_EQ(Dump(d), R"({"a":[1],"s":"x"})");
  rapidjson::Document arr = Doc("[1,2]");
  EXPECT_FALSE(SetPath(arr, JsonPath("a"), v, arr.GetAllocator()));
}

TEST(JsonPath, RemoveAndTakeKeepOrder) {
  rapidjson::Document d = Doc(R"({"a":1,"b":{"c":2,"d":3},"e":4,"f":5})");
  EXPECT_TRUE(RemovePath(d, JsonPath("a")));
  EXPECT_FALSE(RemovePath(d, JsonPath("a")));
  EXPECT_FALSE(RemovePath(d, JsonPath("b.x")));
  rapidjson::Value out;
  EXPECT_TRUE(TakePath(d, JsonPath("b.c"), &out));
  EXPECT_EQ(out.GetInt(), 2);
  EXPECT_EQ(Dump(d), R"({"b":{"d":3},"e":4,"f":5})");
}

TEST(JsonPath, RenameMemberKeepsPositionAndReplacesClash) {
  rapidjson::Document d = Doc(R"({"a":1,"b":2,"c":3})");
  auto& alloc = d.GetAllocator();
  EXPECT_TRUE(RenameMember(d, "b", "bee", alloc));
  EXPECT_EQ(Dump(d), R"({"a":1,"bee":2,"c":3})");
  EXPECT_TRUE(RenameMember(d, "c", "a", alloc));  // clash before it
  EXPECT_EQ(Dump(d), R"({"bee":2,"a":3})");
  EXPECT_TRUE(RenameMember(d, "bee", "a", alloc));  // clash after it
  EXPECT_EQ(Dump(d), R"({"a":2})");
  EXPECT_FALSE(RenameMember(d, "zz", "y", alloc));
  EXPECT_TRUE(RenameMember(d, "a", "a", alloc));
}

TEST(JsonPath, UnicodeNames) {
  rapidjson::Document d = Doc(R"({"städte":{"名前":"x"}})");
  EXPECT_EQ(StringView(*GetPath(d, JsonPath("städte.名前"))), "x");
}

}  // namespace
}  // namespace rivven::transforms
