#include "connectors/airbyte/airbyte_process.h"

#include <chrono>

#include <gtest/gtest.h>

namespace rivven::airbyte {
namespace {

using std::chrono::steady_clock;

std::unique_ptr<ChildProcess> Shell(const std::string& script) {
  auto child = ChildProcess::Start({"/bin/sh", "-c", script}, nullptr);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  return child.ok() ? std::move(*child) : nullptr;
}

TEST(ChildProcessTest, LinesUnderTheLimitArriveWholeInOrder) {
  auto child = Shell("head -c 90000 /dev/zero | tr '\\0' a; echo; echo second; printf last");
  ASSERT_NE(child, nullptr);
  child->SetMaxLineBytes(100000);
  std::string line;
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  ASSERT_EQ(*child->ReadLine(&line, deadline), ChildProcess::Read::kLine);
  EXPECT_EQ(line, std::string(90000, 'a'));
  ASSERT_EQ(*child->ReadLine(&line, deadline), ChildProcess::Read::kLine);
  EXPECT_EQ(line, "second");
  ASSERT_EQ(*child->ReadLine(&line, deadline), ChildProcess::Read::kLine);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(*child->ReadLine(&line, deadline), ChildProcess::Read::kEnd);
}

TEST(ChildProcessTest, ALineOverTheLimitFailsClearlyInsteadOfFillingMemory) {
  // A source that never ends its line: without the limit this would buffer without bound.
  auto child = Shell("printf '{\"type\":\"RECORD\",\"record\":'; exec tr '\\0' b < /dev/zero");
  ASSERT_NE(child, nullptr);
  child->SetMaxLineBytes(1 << 20);
  std::string line;
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  Result<ChildProcess::Read> read = ChildProcess::Read::kTimeout;
  while (read.ok() && *read == ChildProcess::Read::kTimeout && steady_clock::now() < deadline) {
    read = child->ReadLine(&line, deadline);
  }
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message().rfind(
                "the Airbyte source wrote a line longer than 1048576 bytes to stdout (each "
                "Airbyte message is one line; this one starts: {\"type\":\"RECORD\",\"record\":bbb",
                0),
            0u)
      << read.status().message();
  child->Kill(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace rivven::airbyte
