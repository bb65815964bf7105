#include "transforms/regex_router.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

std::string Rewritten(const char* regex, const char* replacement, const char* text) {
  auto r = RegexRewrite::Compile(regex, replacement);
  if (!r.ok()) return "error: " + r.status().message();
  auto out = r->Rewrite(text);
  return out ? *out : "<no match>";
}

TEST(RegexRewrite, JavaReplacementSyntax) {
  EXPECT_EQ(Rewritten("a(b)c", "x$1y", "abc"), "xby");
  EXPECT_EQ(Rewritten("(.*)-(.*)", "$2.$1", "left-right"), "right.left");
  EXPECT_EQ(Rewritten("(?<kind>[a-z]+)\\.(\\d+)", "${kind}_$2", "orders.42"), "orders_42");
  EXPECT_EQ(Rewritten("(?P<kind>[a-z]+)", "t.${kind}", "users"), "t.users");
  EXPECT_EQ(Rewritten("(a)", "$12", "a"), "a2");  // only group 1 exists: "$1" then "2"
  EXPECT_EQ(Rewritten("(.*)", "\\$1\\\\$0", "t"), "$1\\t");
  EXPECT_EQ(Rewritten("(a)|(b)", "[$1][$2]", "b"), "[][b]");  // unmatched group: nothing
  EXPECT_EQ(Rewritten("[(?<x]+", "y", "(?<"), "y");           // a class, not a group
}

TEST(RegexRewrite, MatchesTheWholeText) {
  EXPECT_EQ(Rewritten("orders", "x", "orders-eu"), "<no match>");
  EXPECT_EQ(Rewritten("orders.*", "x", "orders-eu"), "x");
  EXPECT_EQ(Rewritten("ö(.)", "o$1", "öl"), "ol");
}

TEST(RegexRewrite, CompileErrors) {
  EXPECT_EQ(Rewritten("(a", "x", ""), "error: invalid regex '(a': missing ): (a");
  EXPECT_EQ(Rewritten("(a)", "$2", ""), "error: no group 2 in regex '(a)' in replacement '$2'");
  EXPECT_EQ(Rewritten("(a)", "${n}", ""),
            "error: no group named 'n' in regex '(a)' in replacement '${n}'");
  EXPECT_EQ(Rewritten("a", "$x", ""),
            "error: '$' must be followed by a group number or {name} (write \\$ for a dollar "
            "sign) in replacement '$x'");
  EXPECT_EQ(Rewritten("a", "x\\", ""),
            "error: a trailing backslash escapes nothing in replacement 'x\\'");
  EXPECT_EQ(Rewritten("(?<n>a)", "${n", ""), "error: unterminated ${ in replacement '${n'");
}

TEST(RegexRouter, RoutesMatchingTopicsOnly) {
  auto t = MakeOk(RegexRouterDescriptor(),
                  R"y({regex: "dbserver1\\.inventory\\.(.*)", replacement: "cdc.$1"})y");
  const auto cdc = ApplyTo(*t, Rec(R"({"id":1})", std::nullopt, "dbserver1.inventory.orders"));
  EXPECT_KEPT(cdc);
  EXPECT_EQ(cdc.topic, "cdc.orders");
  EXPECT_EQ(cdc.record.topic, "cdc.orders");
  EXPECT_EQ(Norm(cdc.record.value), R"({"id":1})");
  const auto other = ApplyTo(*t, Rec(R"({"id":1})", std::nullopt, "dbserver2.inventory.orders"));
  EXPECT_KEPT(other);
  EXPECT_EQ(other.topic, "dbserver2.inventory.orders");
  EXPECT_TRUE(t->Topics().empty());
}

TEST(RegexRouter, DefaultTopicAndTombstones) {
  auto t = MakeOk(RegexRouterDescriptor(), R"y({regex: "ord(.*)", replacement: "archive-ord$1"})y");
  const auto out = ApplyTo(*t, Rec(std::nullopt, R"({"id":1})"));  // on the source's "orders"
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "archive-orders");
  EXPECT_FALSE(out.record.value.has_value());
}

TEST(RegexRouter, NamedGroupFromYaml) {
  // ${...} in YAML is an environment variable; $${table} is the group reference.
  auto t = MakeOk(RegexRouterDescriptor(),
                  R"y({regex: "(?<table>[a-z]+)\\.v1", replacement: "$${table}.v2"})y");
  EXPECT_EQ(ApplyTo(*t, Rec("1", std::nullopt, "users.v1")).topic, "users.v2");
}

TEST(RegexRouter, ConstantReplacementIsAStaticTopic) {
  auto t = MakeOk(RegexRouterDescriptor(), R"y({regex: "shard-[0-9]+", replacement: "all"})y");
  EXPECT_EQ(t->Topics(), std::vector<std::string>{"all"});
  EXPECT_EQ(ApplyTo(*t, Rec("1", std::nullopt, "shard-7")).topic, "all");
}

TEST(RegexRouter, InvalidResultFailsTheRecord) {
  auto t = MakeOk(RegexRouterDescriptor(), R"y({regex: "(.*)", replacement: "a/$1"})y");
  const auto out = ApplyTo(*t, Rec("1"));
  ASSERT_FALSE(out.outcome.ok());
  EXPECT_EQ(out.outcome.status().message(),
            "RegexRouter: topic 'orders' rewrites to an invalid topic name 'a/orders': only "
            "ASCII letters, digits, '.', '_' and '-' are allowed");
  auto empty = MakeOk(RegexRouterDescriptor(), R"y({regex: "orders", replacement: ""})y");
  EXPECT_FALSE(ApplyTo(*empty, Rec("1")).outcome.ok());
}

TEST(RegexRouter, ConfigErrors) {
  EXPECT_EQ(ConfigError(RegexRouterDescriptor(), R"y({regex: "(a", replacement: x})y"),
            "regex: invalid regex '(a': missing ): (a");
  EXPECT_NE(ConfigError(RegexRouterDescriptor(), "regex: a").find("replacement"),
            std::string::npos);
  EXPECT_NE(
      ConfigError(RegexRouterDescriptor(), "{regex: a, replacement: b, topic: c}").find("topic"),
      std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
