#include "transforms/drop.h"

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Rec;

TEST(Drop, DropsEveryRecordItIsAppliedTo) {
  auto t = MakeOk(DropDescriptor(), "");
  for (Record r : {Rec(R"({"a":1})"), Rec(std::nullopt), Rec("not json", "k")}) {
    const auto out = ApplyTo(*t, r);
    ASSERT_TRUE(out.outcome.ok());
    EXPECT_EQ(*out.outcome, Outcome::kDrop);
  }
}

TEST(Drop, HasNoConfigKeys) {
  EXPECT_NE(ConfigError(DropDescriptor(), "condition: x").find("condition"), std::string::npos);
  EXPECT_TRUE(DropDescriptor().schema.keys().empty());
}

}  // namespace
}  // namespace rivven::transforms
