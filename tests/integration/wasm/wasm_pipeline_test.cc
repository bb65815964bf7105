// WASM connectors through the built binary: a WASM source into a file sink, a WASM transform in
// a chain, and a guest that never returns failing only its own connector.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

std::string Guest(const std::string& stem) {
  return std::string(RIVVEN_WASM_GUEST_DIR) + "/" + stem + ".wasm";
}

TEST(WasmPipelineTest, ExampleRunsASourceAndATransformChainIntoAFile) {
  TempDir dir;
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  o.env["RIVVEN_OUTPUT_DIR"] = dir / "out";
  o.env["RIVVEN_WASM_DIR"] = RIVVEN_WASM_GUEST_DIR;
  o.cwd = SourceDir();
  o.timeout = std::chrono::seconds(60);
  const std::string config = SourceDir() + "/examples/wasm/wasm-pipeline.yaml";
  auto v = RunProcess({BinaryPath(), "validate", "--config", config}, o);
  ASSERT_EQ(v.exit_code, 0) << DescribeResult(v);
  auto r = RunProcess({BinaryPath(), "run", "--config", config}, o);
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  const auto lines = SplitLines(ReadFile(dir / "out/counts.jsonl"));
  ASSERT_EQ(lines.size(), 25u);
  for (size_t n = 0; n < lines.size(); ++n) {
    // InsertField ran before the guest (its label is upper-cased); the guest's numbers stay.
    EXPECT_EQ(lines[n], "{\"n\":" + std::to_string(n) + ",\"square\":" + std::to_string(n * n) +
                            ",\"label\":\"COUNTED\"}");
  }
  // A second run resumes from the checkpoint ({"next":25}): nothing new.
  auto again = RunProcess({BinaryPath(), "run", "--config", config}, o);
  ASSERT_EQ(again.exit_code, 0) << DescribeResult(again);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/counts.jsonl")).size(), 25u);
}

TEST(WasmPipelineTest, TransformOutputIsSeenByTheNextTransform) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  WriteFile(dir / "in/people.jsonl", "{\"name\":\"ada\"}\n{\"name\":\"grace\"}\n");
  WriteFile(dir / "p.yaml", R"(sources:
  people:
    connector: file
    topic: people
    config: {path: )" + (dir / "in") +
                                R"(, format: json}
    transforms:
      - type: Wasm
        config: {module_path: )" +
                                Guest("uppercase_transform") + R"(}
      - type: InsertField
        config: {static: {via: chain}}
sinks:
  out:
    connector: file
    topics: [people]
    config: {path: )" + (dir / "out") +
                                "}\n");
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  const auto lines = SplitLines(ReadFile(dir / "out/people.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"({"name":"ADA","via":"chain"})");
  EXPECT_EQ(lines[1], R"({"name":"GRACE","via":"chain"})");
}

TEST(WasmPipelineTest, AGuestThatNeverReturnsFailsOnlyItsOwnConnector) {
  TempDir dir;
  WriteFile(dir / "p.yaml", R"(sources:
  counter:
    connector: wasm
    topic: counts
    config:
      module_path: )" + Guest("counter_source") +
                                R"(
      plugin_config: {limit: 25}
sinks:
  stuck:
    connector: wasm
    topics: [counts]
    config: {module_path: )" + Guest("loop_forever") +
                                R"(, timeout_secs: 1}
  archive:
    connector: file
    topics: [counts]
    config: {path: )" + (dir / "out") +
                                "}\n");
  ProcessOptions o;
  o.timeout = std::chrono::seconds(10);  // the stuck sink keeps restarting: the run goes on
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, o);
  EXPECT_NE(r.err.find("rivven_write did not return within timeout_secs=1; it was stopped"),
            std::string::npos)
      << DescribeResult(r);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/counts.jsonl")).size(), 25u) << DescribeResult(r);
}

}  // namespace
}  // namespace rivven::testing
