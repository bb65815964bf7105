#include "transforms/header_from.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::HeaderOf;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(HeaderFrom, CopiesFieldsAsText) {
  auto t = MakeOk(HeaderFromDescriptor(),
                  "{fields: [id, name, meta.n, meta, ok], headers: [h-id, h-name, h-n, h-meta, "
                  "h-ok], operation: copy}");
  const auto out = ApplyTo(*t, Rec(R"({"id":7,"name":"Zoë ✓","meta":{"n":1.5},"ok":false})"));
  EXPECT_KEPT(out);
  EXPECT_EQ(HeaderOf(out.record, "h-id"), "7");
  EXPECT_EQ(HeaderOf(out.record, "h-name"), "Zoë ✓");  // a string's own text, no quotes
  EXPECT_EQ(HeaderOf(out.record, "h-n"), "1.5");
  EXPECT_EQ(HeaderOf(out.record, "h-meta"), R"({"n":1.5})");
  EXPECT_EQ(HeaderOf(out.record, "h-ok"), "false");
  EXPECT_EQ(Norm(out.record.value), R"({"id":7,"name":"Zoë ✓","meta":{"n":1.5},"ok":false})");
}

TEST(HeaderFrom, MoveRemovesTheFields) {
  auto t = MakeOk(HeaderFromDescriptor(),
                  "{fields: \"trace.id, tenant\", headers: \"traceparent,tenant\", "
                  "operation: move}");
  Record r = Rec(R"({"trace":{"id":"00-abc","x":1},"tenant":"acme","v":1})");
  r.headers.push_back({"tenant", "old"});
  const auto out = ApplyTo(*t, std::move(r));
  EXPECT_KEPT(out);
  EXPECT_EQ(HeaderOf(out.record, "traceparent"), "00-abc");
  EXPECT_EQ(HeaderOf(out.record, "tenant"), "acme");  // appended after the old one
  EXPECT_EQ(out.record.headers.size(), 3u);
  EXPECT_EQ(Norm(out.record.value), R"({"trace":{"x":1},"v":1})");
}

TEST(HeaderFrom, MissingAndNullFieldsAddNoHeader) {
  auto t = MakeOk(HeaderFromDescriptor(), "{fields: [a, b], headers: [ha, hb], operation: move}");
  const auto out = ApplyTo(*t, Rec(R"({"b":null,"c":1})"));
  EXPECT_KEPT(out);
  EXPECT_TRUE(out.record.headers.empty());
  EXPECT_EQ(Norm(out.record.value), R"({"c":1})");  // the null field is moved out too
}

TEST(HeaderFrom, KeySideTombstoneAndNonObject) {
  auto k = MakeOk(HeaderFromDescriptor(),
                  "{fields: [id], headers: [key-id], operation: copy, side: key}");
  const auto key = ApplyTo(*k, Rec(std::nullopt, R"({"id":"u-1"})"));
  EXPECT_KEPT(key);
  EXPECT_EQ(HeaderOf(key.record, "key-id"), "u-1");
  EXPECT_FALSE(key.record.value.has_value());

  auto v = MakeOk(HeaderFromDescriptor(), "{fields: [id], headers: [h], operation: copy}");
  const auto tomb = ApplyTo(*v, Rec(std::nullopt));
  EXPECT_KEPT(tomb);
  EXPECT_TRUE(tomb.record.headers.empty());
  const auto arr = ApplyTo(*v, Rec("[1]"));
  ASSERT_FALSE(arr.outcome.ok());
  EXPECT_EQ(arr.outcome.status().message(), "HeaderFrom: the value is not a JSON object: [1]");
}

TEST(HeaderFrom, ConfigErrors) {
  EXPECT_EQ(ConfigError(HeaderFromDescriptor(), "{fields: [a, b], headers: [h], operation: copy}"),
            "headers: 1 header(s) for 2 field(s); give one "
            "header per field");
  EXPECT_NE(ConfigError(HeaderFromDescriptor(), "{fields: [a], headers: [h], operation: cut}")
                .find("operation"),
            std::string::npos);
  EXPECT_NE(ConfigError(HeaderFromDescriptor(), "{fields: [a], headers: [h]}").find("operation"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
