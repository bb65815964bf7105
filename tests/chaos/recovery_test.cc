// A torn or corrupted segment tail: the broker opens, keeps every intact batch and says what
// it dropped.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

std::string LastSegment(const std::string& partition_dir) {
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(partition_dir)) {
    if (e.path().extension() == ".log" && e.path().string() > last) last = e.path().string();
  }
  return last;
}

ProcessResult Produce(const TempDir& dir, const std::string& lines) {
  ProcessOptions o;
  o.stdin_data = lines;
  return RunProcess({BinaryPath(), "topics", "produce", "t", "--data-dir", dir / "data"}, o);
}

int CountTail(const TempDir& dir) {
  auto t = RunProcess({BinaryPath(), "topics", "tail", "t", "--from-beginning", "--data-dir",
                       dir / "data"});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  return static_cast<int>(SplitLines(t.out).size());
}

class RecoveryTest : public ::testing::TestWithParam<bool> {};

TEST_P(RecoveryTest, TornOrCorruptTailIsTruncatedAndReported) {
  const bool flip_bytes = GetParam();
  TempDir dir;
  // Three separate produce runs = three batches of 1000 lines each.
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += "{\"n\":" + std::to_string(i) + "}\n";
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Produce(dir, batch).exit_code, 0);
  ASSERT_EQ(CountTail(dir), 3000);

  const std::string seg = LastSegment(dir / "data/topics/t/0");
  ASSERT_FALSE(seg.empty());
  const auto size = std::filesystem::file_size(seg);
  if (flip_bytes) {
    std::string bytes = ReadFile(seg);
    for (size_t i = bytes.size() - 200; i < bytes.size() - 100; ++i) bytes[i] ^= 0x5A;
    WriteFile(seg, bytes);
  } else {
    std::filesystem::resize_file(seg, size - 123);  // a torn write in the last batch
  }

  // Opening for writing recovers: the last batch goes, the first two stay, and it says so.
  auto p = Produce(dir, "{\"after\":true}\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find(seg.substr(seg.rfind('/') + 1)), std::string::npos) << p.err;
  EXPECT_EQ(CountTail(dir), 2001);
}

INSTANTIATE_TEST_SUITE_P(TornAndCorrupt, RecoveryTest, ::testing::Values(false, true));

}  // namespace
}  // namespace rivven::testing
