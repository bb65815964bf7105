#include "transforms/drop_headers.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Rec;

TEST(DropHeaders, RemovesEveryHeaderWithTheKeys) {
  auto t = MakeOk(DropHeadersDescriptor(), "headers: [a, ü]");
  Record r = Rec(R"({"x":1})");
  r.headers = {{"a", "1"}, {"b", "2"}, {"a", "3"}, {"ü", "4"}, {"A", "5"}};
  const auto out = ApplyTo(*t, std::move(r));
  EXPECT_KEPT(out);
  ASSERT_EQ(out.record.headers.size(), 2u);
  EXPECT_EQ(out.record.headers[0].key, "b");
  EXPECT_EQ(out.record.headers[1].key, "A");  // case-sensitive
  EXPECT_EQ(*out.record.value, R"({"x":1})");
}

TEST(DropHeaders, CommaStringNoHeadersAndTombstone) {
  auto t = MakeOk(DropHeadersDescriptor(), R"(headers: "a, b")");
  Record r = Rec(std::nullopt);
  r.headers = {{"b", "2"}, {"c", "3"}};
  const auto out = ApplyTo(*t, std::move(r));
  EXPECT_KEPT(out);
  ASSERT_EQ(out.record.headers.size(), 1u);
  EXPECT_EQ(out.record.headers[0].key, "c");
  EXPECT_FALSE(out.record.value.has_value());
  EXPECT_KEPT(ApplyTo(*t, Rec("1")));
}

TEST(DropHeaders, ConfigErrors) {
  EXPECT_NE(ConfigError(DropHeadersDescriptor(), "").find("headers"), std::string::npos);
  EXPECT_EQ(ConfigError(DropHeadersDescriptor(), "headers: []"),
            "headers: name at least one header");
}

}  // namespace
}  // namespace rivven::transforms
