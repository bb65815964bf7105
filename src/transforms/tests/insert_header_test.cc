#include "transforms/insert_header.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

TEST(InsertHeader, AppendsTheLiteral) {
  auto t = MakeOk(InsertHeaderDescriptor(), "{header: source, value.literal: billing-ü}");
  Record r = Rec(R"({"a":1})", R"("k")");
  r.headers.push_back({"source", "old"});
  r.headers.push_back({"other", "x"});
  const auto out = ApplyTo(*t, std::move(r));
  EXPECT_KEPT(out);
  ASSERT_EQ(out.record.headers.size(), 3u);
  EXPECT_EQ(out.record.headers[0].value, "old");
  EXPECT_EQ(out.record.headers[2].key, "source");
  EXPECT_EQ(out.record.headers[2].value, "billing-ü");
  EXPECT_EQ(Norm(out.record.value), R"({"a":1})");
  EXPECT_EQ(*out.record.key, R"("k")");
}

TEST(InsertHeader, TombstonesAndEmptyValue) {
  auto t = MakeOk(InsertHeaderDescriptor(), R"({header: h, value.literal: ""})");
  const auto out = ApplyTo(*t, Rec(std::nullopt));
  EXPECT_KEPT(out);
  ASSERT_EQ(out.record.headers.size(), 1u);
  EXPECT_EQ(out.record.headers[0].value, "");
  EXPECT_FALSE(out.record.value.has_value());
}

TEST(InsertHeader, ConfigErrors) {
  EXPECT_NE(ConfigError(InsertHeaderDescriptor(), "header: h").find("value.literal"),
            std::string::npos);
  EXPECT_NE(
      ConfigError(InsertHeaderDescriptor(), "{header: h, value_literal: v}").find("value_literal"),
      std::string::npos);
  EXPECT_EQ(ConfigError(InsertHeaderDescriptor(), R"({header: "", value.literal: v})"),
            "header: must not be empty");
}

}  // namespace
}  // namespace rivven::transforms
