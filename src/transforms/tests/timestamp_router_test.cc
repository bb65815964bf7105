#include "transforms/timestamp_router.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "transforms/tests/standard_test_util.h"
#include "transforms/timestamp_format.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::MakeOk;
using stdtest::Rec;

Record Stamped(TimestampMs ms, std::string topic = {}) {
  Record r = Rec(R"({"a":1})", std::nullopt, std::move(topic));
  r.timestamp_ms = ms;
  return r;
}

TEST(TimestampRouter, DefaultsAreKafkaConnects) {
  auto t = MakeOk(TimestampRouterDescriptor(), "");
  const auto out = ApplyTo(*t, Stamped(1700000000123));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "orders-20231114");
  EXPECT_TRUE(t->Topics().empty());
}

TEST(TimestampRouter, CustomFormatsAndRoutedTopic) {
  auto t = MakeOk(
      TimestampRouterDescriptor(),
      R"({topic.format: "archive.$${topic}.$${timestamp}", timestamp.format: "yyyy-MM_HH"})");
  EXPECT_EQ(ApplyTo(*t, Stamped(1700000000123, "cdc.users")).topic, "archive.cdc.users.2023-11_22");
  EXPECT_EQ(ApplyTo(*t, Stamped(-1)).topic, "archive.orders.1969-12_23");
}

TEST(TimestampRouter, NoTimestampUsesNow) {
  auto t = MakeOk(TimestampRouterDescriptor(), "timestamp.format: yyyy");
  const std::string year = TimestampFormat::Compile("yyyy")->Format(Instant::FromMillis(NowMs()));
  const auto out = ApplyTo(*t, Stamped(0));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "orders-" + year);
}

TEST(TimestampRouter, TombstoneIsRoutedToo) {
  auto t = MakeOk(TimestampRouterDescriptor(), "");
  Record r = Stamped(1700000000123);
  r.value.reset();
  const auto out = ApplyTo(*t, std::move(r));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "orders-20231114");
  EXPECT_FALSE(out.record.value.has_value());
}

TEST(TimestampRouter, UnescapedVariablesInYamlAreEnvironmentVariables) {
  // The config loader resolves ${VAR} from the environment; $${topic} is the literal text.
  config::Diagnostics diags;
  const auto t =
      stdtest::Make(TimestampRouterDescriptor(), R"(topic.format: "${topic}-x")", &diags);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("environment variable 'topic' is not set"),
            std::string::npos);
}

TEST(TimestampRouter, InvalidTopicFailsTheRecord) {
  auto t = MakeOk(TimestampRouterDescriptor(), "timestamp.format: yyyy/MM/dd");
  const auto out = ApplyTo(*t, Stamped(1700000000123));
  ASSERT_FALSE(out.outcome.ok());
  EXPECT_EQ(out.outcome.status().message(),
            "TimestampRouter: invalid topic name 'orders-2023/11/14': only ASCII letters, "
            "digits, '.', '_' and '-' are allowed");
}

TEST(TimestampRouter, ConfigErrors) {
  EXPECT_EQ(ConfigError(TimestampRouterDescriptor(), "timestamp.format: yyyyQQ"),
            "timestamp.format: unsupported letter 'Q' in date "
            "pattern 'yyyyQQ' (supported: y M d H h m s S E a Z X z; quote literal text as 'T')");
  EXPECT_EQ(ConfigError(TimestampRouterDescriptor(), R"(topic.format: "")"),
            "topic.format: must not be empty");
  EXPECT_NE(ConfigError(TimestampRouterDescriptor(), "topic_format: x").find("topic_format"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
