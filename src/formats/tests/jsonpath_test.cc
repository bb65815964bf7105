#include "formats/jsonpath.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <gtest/gtest.h>

namespace rivven::formats {
namespace {

// Goessner's example document.
constexpr const char* kStore = R"({"store": {
  "book": [
    {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
    {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
    {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
  ],
  "bicycle": {"color": "red", "price": 19.95}
}, "data": [{"id": 1, "ok": true}, {"id": 2, "ok": false}, {"id": 3}], "odd key": {"a.b": 5}})";

std::string Json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

std::vector<std::string> Query(const std::string& path, const char* doc = kStore) {
  rapidjson::Document d;
  d.Parse(doc);
  EXPECT_FALSE(d.HasParseError());
  auto p = JsonPath::Parse(path);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  std::vector<std::string> out;
  if (!p.ok()) return out;
  for (const auto* v : p->Select(d)) out.push_back(Json(*v));
  return out;
}

using V = std::vector<std::string>;

TEST(JsonPathTest, ChildWildcardIndexAndSlice) {
  EXPECT_EQ(Query("$.data[*].id"), (V{"1", "2", "3"}));
  EXPECT_EQ(Query("$['store']['bicycle'].color"), (V{"\"red\""}));
  EXPECT_EQ(Query("$.store.book[0].author"), (V{"\"Nigel Rees\""}));
  EXPECT_EQ(Query("$.store.book[-1].title"), (V{"\"The Lord of the Rings\""}));
  EXPECT_EQ(Query("$.store.book[0,2].price"), (V{"8.95", "8.99"}));
  EXPECT_EQ(Query("$.store.book[:2].price"), (V{"8.95", "12.99"}));
  EXPECT_EQ(Query("$.store.book[-2:].price"), (V{"8.99", "22.99"}));
  EXPECT_EQ(Query("$.store.book[::2].price"), (V{"8.95", "8.99"}));
  EXPECT_EQ(Query("$.store.book[::-1].price"), (V{"22.99", "8.99", "12.99", "8.95"}));
  EXPECT_EQ(Query("$.store.book[7]"), V{});
  EXPECT_EQ(Query("$.data"), (V{R"([{"id":1,"ok":true},{"id":2,"ok":false},{"id":3}])"}));
  EXPECT_EQ(Query("$['odd key']['a.b']"), (V{"5"}));
  EXPECT_EQ(Query("$"), (V{Query("$").front()}));
}

TEST(JsonPathTest, RecursiveDescent) {
  EXPECT_EQ(Query("$..author"),
            (V{"\"Nigel Rees\"", "\"Evelyn Waugh\"", "\"Herman Melville\"", "\"J. R. R. Tolkien\""}));
  EXPECT_EQ(Query("$.store..price"), (V{"8.95", "12.99", "8.99", "22.99", "19.95"}));
  EXPECT_EQ(Query("$..book[2].title"), (V{"\"Moby Dick\""}));
  EXPECT_EQ(Query("$..book.length"), V{});
  EXPECT_EQ(Query("$..[0].id"), (V{"1"}));
}

TEST(JsonPathTest, Filters) {
  EXPECT_EQ(Query("$.store.book[?(@.price < 10)].title"),
            (V{"\"Sayings of the Century\"", "\"Moby Dick\""}));
  EXPECT_EQ(Query("$..book[?(@.isbn)].title"), (V{"\"Moby Dick\"", "\"The Lord of the Rings\""}));
  EXPECT_EQ(Query("$..book[?(!@.isbn)].price"), (V{"8.95", "12.99"}));
  EXPECT_EQ(Query("$.store.book[?(@.category == 'fiction' && @.price > 10)].price"),
            (V{"12.99", "22.99"}));
  EXPECT_EQ(Query("$.store.book[?(@.price > 20 || @.author == \"Nigel Rees\")].price"),
            (V{"8.95", "22.99"}));
  EXPECT_EQ(Query("$.data[?(@.ok == true)].id"), (V{"1"}));
  EXPECT_EQ(Query("$.data[?(@.ok != true)].id"), (V{"2", "3"}));
  EXPECT_EQ(Query("$.data[?(@.id >= 2)].id"), (V{"2", "3"}));
  EXPECT_EQ(Query("$.data[?((@.id == 1) || (@.id == 3))].id"), (V{"1", "3"}));
  EXPECT_EQ(Query("$.data[?(@.id > $.store.bicycle.price)]"), V{});
  EXPECT_EQ(Query("$.store[?(@.color)].price"), (V{"19.95"}));
  // Different types never compare as ordered.
  EXPECT_EQ(Query("$.data[?(@.id > 'a')]"), V{});
}

TEST(JsonPathTest, BadPathsNameThePosition) {
  for (const char* bad : {"data", "$.", "$[", "$[1", "$['a'", "$[?(@.a >)]", "$[?(1)]", "$.a b",
                          "$[::0]", "$[x]"}) {
    auto p = JsonPath::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) EXPECT_NE(p.status().message().find(" at "), std::string::npos) << p.status().message();
  }
}

}  // namespace
}  // namespace rivven::formats
