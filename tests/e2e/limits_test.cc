// settings.limits through the binary: a record over max_record_bytes goes through the source's
// or the sink's on_error, named with its size, the limit and where it came from; the others pass.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

// 40 JSON lines of about 60 bytes, and a 5,000-byte one as line 21.
std::string Input() {
  std::string text;
  for (int i = 1; i <= 41; ++i) {
    if (i == 21) {
      text += "{\"id\":21,\"blob\":\"" + std::string(5000, 'x') + "\"}\n";
    } else {
      text += "{\"id\":" + std::to_string(i) + ",\"note\":\"a small line of input\"}\n";
    }
  }
  return text;
}

std::string Pipeline(const TempDir& dir, const std::string& limits, const std::string& source_policy,
                     const std::string& sink_policy) {
  return "version: \"1.0\"\n"
         "settings:\n"
         "  limits: " + limits + "\n"
         "sources:\n"
         "  in:\n"
         "    connector: file\n"
         "    topic: lines\n" + source_policy +
         "    config: {path: " + (dir / "in.jsonl") + ", format: json}\n"
         "sinks:\n"
         "  out:\n"
         "    connector: file\n"
         "    topics: [lines]\n" + sink_policy +
         "    config: {path: " + (dir / "out") + "}\n";
}

std::vector<std::string> RunIt(const TempDir& dir, const std::string& yaml, ProcessResult* result) {
  WriteFile(dir / "p.yaml", yaml);
  *result = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "data"}, {});
  return SplitLines(ReadFile(dir / "out/lines.jsonl"));
}

TEST(LimitsTest, AnOversizedSourceRecordGoesToTheDeadLetterTopicAndTheRestArrive) {
  TempDir dir;
  WriteFile(dir / "in.jsonl", Input());
  ProcessResult r;
  const auto lines = RunIt(dir,
                           Pipeline(dir, "{max_record_bytes: 1024, max_batch_bytes: 4096}",
                                    "    on_error: dlq\n", ""),
                           &r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines.size(), 40u);
  for (const auto& l : lines) EXPECT_EQ(l.find("\"id\":21,"), std::string::npos) << l;
  EXPECT_NE(r.err.find("record of 5019 bytes is over settings.limits.max_record_bytes (1024), for topic 'lines'"),
            std::string::npos)
      << r.err;
  // The dead letter carries the original bytes.
  auto dlq = RunProcess(
      {BinaryPath(), "topics", "tail", "--data-dir", dir / "data", "--from-beginning", "in.dlq"}, {});
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  EXPECT_EQ(SplitLines(dlq.out).size(), 1u) << dlq.out;
  EXPECT_NE(dlq.out.find(std::string(5000, 'x')), std::string::npos);
  EXPECT_NE(dlq.out.find("max_record_bytes"), std::string::npos);
}

TEST(LimitsTest, UnderOnErrorFailTheSourceStopsNamingTheRecordAndTheLimit) {
  TempDir dir;
  WriteFile(dir / "in.jsonl", Input());
  ProcessResult r;
  RunIt(dir, Pipeline(dir, "{max_record_bytes: 1024}", "", ""), &r);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("record of 5019 bytes is over settings.limits.max_record_bytes (1024), for topic 'lines'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("source 'in'"), std::string::npos) << r.err;
}

TEST(LimitsTest, ASinkSkipsRecordsOverItsLimitThatAreAlreadyOnTheTopic) {
  TempDir dir;
  WriteFile(dir / "in.jsonl", Input());
  // The first run stores every line (the default limit is 16 MiB) but its sink is disabled.
  WriteFile(dir / "p1.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  in: {connector: file, topic: lines, config: {path: " + (dir / "in.jsonl") +
                ", format: json}}\n");
  auto first = RunProcess({BinaryPath(), "run", "-c", dir / "p1.yaml", "--data-dir", dir / "data"}, {});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The second run has a sink under a smaller limit; batches of at most 512 bytes each.
  ProcessResult r;
  const auto lines = RunIt(dir,
                           Pipeline(dir, "{max_record_bytes: 1024, max_batch_bytes: 1024}", "",
                                    "    on_error: skip\n"),
                           &r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines.size(), 40u);
  EXPECT_NE(r.err.find("is over settings.limits.max_record_bytes (1024), at lines/0/20"),
            std::string::npos)
      << r.err;
}

TEST(LimitsTest, ABatchLimitBelowTheRecordLimitIsAConfigError) {
  TempDir dir;
  WriteFile(dir / "in.jsonl", Input());
  WriteFile(dir / "p.yaml", Pipeline(dir, "{max_record_bytes: 4096, max_batch_bytes: 2048}", "", ""));
  auto r = RunProcess({BinaryPath(), "validate", "-c", dir / "p.yaml"}, {});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("settings.limits.max_batch_bytes"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("must be at least settings.limits.max_record_bytes (4096)"),
            std::string::npos)
      << r.out << r.err;
}

}  // namespace
}  // namespace rivven::testing
