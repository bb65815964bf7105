#include "base/warn_once.h"

#include <gtest/gtest.h>

#include <string>

namespace rivven::log {
namespace {

TEST(WarnOnceTest, EachMessageIsLoggedTheFirstTimeOnly) {
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(WarnOnce("test", "sinks.a.config: TLS verification is off"));
  EXPECT_FALSE(WarnOnce("test", "sinks.a.config: TLS verification is off"));
  EXPECT_TRUE(WarnOnce("test", "sinks.b.config: TLS verification is off"));
  const std::string log = ::testing::internal::GetCapturedStderr();
  const std::string a = "sinks.a.config: TLS verification is off";
  const size_t at = log.find(a);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(a, at + 1), std::string::npos) << log;
  EXPECT_NE(log.find("sinks.b.config: TLS verification is off"), std::string::npos) << log;
  EXPECT_NE(log.find("WARN"), std::string::npos) << log;
}

}  // namespace
}  // namespace rivven::log
