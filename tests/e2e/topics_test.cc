// `topics list|describe|tail|produce|create` against a data dir.
#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

ProcessResult Topics(const TempDir& dir, std::vector<std::string> args, ProcessOptions o = {}) {
  args.insert(args.begin(), {BinaryPath(), "topics"});
  args.push_back("--data-dir");
  args.push_back(dir / "data");
  return RunProcess(args, o);
}

TEST(TopicsTest, ProduceListDescribeTailRoundTrip) {
  TempDir dir;
  ProcessOptions in;
  in.stdin_data = "k1:{\"a\":1}\nk2:{\"a\":2}\nk1:plain text\n";
  auto p = Topics(dir, {"produce", "events", "--partitions", "2", "--key-separator", ":"}, in);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("produced 3 record(s)"), std::string::npos) << p.err;

  auto l = Topics(dir, {"list"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_NE(l.out.find("events"), std::string::npos) << l.out;

  auto d = Topics(dir, {"describe", "events"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("2 partition(s)"), std::string::npos) << d.out;

  auto t = Topics(dir, {"tail", "events", "--from-beginning"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const auto lines = SplitLines(t.out);
  ASSERT_EQ(lines.size(), 3u) << t.out;
  int k1 = 0;
  for (const auto& line : lines) {
    if (line.find("\"key\":\"k1\"") != std::string::npos) ++k1;
  }
  EXPECT_EQ(k1, 2);
  EXPECT_NE(t.out.find("\"value\":{\"a\":1}"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("\"value\":\"plain text\""), std::string::npos) << t.out;
  // Both k1 records are in one partition, in order.
  const auto a = t.out.find("\"key\":\"k1\"");
  const auto b = t.out.find("\"key\":\"k1\"", a + 1);
  EXPECT_LT(t.out.find("{\"a\":1}"), t.out.find("plain text"));
  EXPECT_NE(b, std::string::npos);
}

TEST(TopicsTest, MissingTopicAndPartitionAreClearErrors) {
  TempDir dir;
  auto c = Topics(dir, {"create", "t1", "--partitions", "1"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto d = Topics(dir, {"describe", "nope"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("nope"), std::string::npos) << d.err;
  auto t = Topics(dir, {"tail", "t1", "--partition", "5"});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("no partition 5"), std::string::npos) << t.err;
}

}  // namespace
}  // namespace rivven::testing
