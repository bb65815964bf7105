// Every file under examples/ is validated and run to completion by the built binary.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

std::vector<std::string> Examples() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/examples")) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ExamplesTest, EveryExampleValidatesAndRunsToCompletion) {
  const auto examples = Examples();
  ASSERT_GE(examples.size(), 3u);
  for (const auto& path : examples) {
    TempDir dir;
    ProcessOptions o;
    o.env["RIVVEN_DATA_DIR"] = dir / "data";
    o.env["RIVVEN_OUTPUT_DIR"] = dir / "out";
    o.cwd = SourceDir();  // examples name their inputs relative to the repository root
    o.timeout = std::chrono::seconds(120);
    auto v = RunProcess({BinaryPath(), "validate", "--config", path}, o);
    EXPECT_EQ(v.exit_code, 0) << path << "\n" << v.err;
    auto r = RunProcess({BinaryPath(), "run", "--config", path}, o);
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.err;
    EXPECT_FALSE(r.timed_out) << path;
  }
}

TEST(ExamplesTest, QuickstartPrintsTwentyOrdersInOrder) {
  TempDir dir;
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  auto r = RunProcess({BinaryPath(), "run", "-c", SourceDir() + "/examples/quickstart.yaml"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 20u) << r.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NE(lines[i].find("\"order_id\":" + std::to_string(i + 1) + ","), std::string::npos)
        << lines[i];
    for (const char* f : {"\"customer_id\"", "\"product\"", "\"quantity\"", "\"total\"", "\"status\""}) {
      EXPECT_NE(lines[i].find(f), std::string::npos) << lines[i];
    }
  }
  // A second run on the same data dir resumes from the checkpoint: nothing new to emit.
  auto again = RunProcess({BinaryPath(), "run", "-c", SourceDir() + "/examples/quickstart.yaml"}, o);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");
}

TEST(ExamplesTest, DatagenToFileWritesEveryRecordOfEveryTopic) {
  TempDir dir;
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  o.env["RIVVEN_OUTPUT_DIR"] = dir / "out";
  auto r = RunProcess({BinaryPath(), "run", "-c", SourceDir() + "/examples/datagen-to-file.yaml"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/orders.jsonl")).size(), 10000u);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/users.jsonl")).size(), 1000u);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/pageviews.jsonl")).size(), 5000u);
}

TEST(ExamplesTest, DeadLettersKeepTheBadLinesWithTheirErrors) {
  TempDir dir;
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  o.env["RIVVEN_OUTPUT_DIR"] = dir / "out";
  o.cwd = SourceDir();
  auto r = RunProcess({BinaryPath(), "run", "-c", "examples/file-with-dead-letters.yaml"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/events.jsonl")).size(), 6u);
  auto dlq = RunProcess({BinaryPath(), "topics", "tail", "events.dlq", "--from-beginning",
                         "--data-dir", dir / "data"});
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  const auto lines = SplitLines(dlq.out);
  ASSERT_EQ(lines.size(), 2u) << dlq.out;
  EXPECT_NE(lines[0].find("not json at all"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("events.jsonl:3"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"rivven.error.connector\":\"events\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("events.jsonl:6"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace rivven::testing
