// Native plugins through the built binary: the example pipeline of examples/plugins/, and what a
// failing or crashing plugin does to a run.
#include <csignal>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

ProcessOptions Options(const TempDir& dir) {
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  o.env["RIVVEN_OUTPUT_DIR"] = dir / "out";
  o.env["RIVVEN_PLUGIN_DIR"] = RIVVEN_EXAMPLE_PLUGIN_DIR;
  o.cwd = SourceDir();
  o.timeout = std::chrono::seconds(60);
  return o;
}

TEST(PluginPipelineTest, ExampleRunsAndResumesFromItsCheckpoint) {
  TempDir dir;
  const ProcessOptions o = Options(dir);
  const std::string config = "examples/plugins/counter-to-lines.yaml";
  auto v = RunProcess({BinaryPath(), "validate", "--config", config}, o);
  ASSERT_EQ(v.exit_code, 0) << DescribeResult(v);
  auto r = RunProcess({BinaryPath(), "run", "-c", config}, o);
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  auto lines = SplitLines(ReadFile(dir / "out/counts.txt"));
  ASSERT_EQ(lines.size(), 99u);  // 100 counted, item-13 dropped by the transform plugin
  EXPECT_EQ(lines[0], R"({"n":0,"name":"DEMO-ITEM-0"})");
  EXPECT_EQ(lines[13], R"({"n":14,"name":"DEMO-ITEM-14"})");
  EXPECT_EQ(lines[98], R"({"n":99,"name":"DEMO-ITEM-99"})");
  // Again on the same data dir: the source resumes after its checkpoint, nothing new arrives.
  auto again = RunProcess({BinaryPath(), "run", "-c", config}, o);
  ASSERT_EQ(again.exit_code, 0) << DescribeResult(again);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/counts.txt")).size(), 99u);
}

std::string FaultyPipeline(const std::string& plugin_config) {
  return std::string(R"(version: "1.0"
broker:
  data_dir: ${RIVVEN_DATA_DIR}
sources:
  faulty:
    connector: plugin
    topic: events
    config:
      path: )") + RIVVEN_TEST_PLUGIN_DIR + R"(/test_plugin_faulty_source.so
      plugin_config: )" + plugin_config + R"(
sinks:
  console:
    connector: stdout
    topics: [events]
    consumer_group: console
)";
}

TEST(PluginPipelineTest, AFatalPluginErrorFailsTheRunNamingThePlugin) {
  TempDir dir;
  WriteFile(dir / "p.yaml", FaultyPipeline("{fail: error, before: 1, retriable: false}"));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml"}, Options(dir));
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0) << DescribeResult(r);
  EXPECT_NE(r.err.find("plugin 'FaultySource'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("poll: the upstream is not answering"), std::string::npos) << r.err;
  // Not retriable: the restart policy's few fatal restarts, then the run ends.
  EXPECT_NE(r.err.find("giving up after"), std::string::npos) << r.err;
}

TEST(PluginPipelineTest, ACrashingPluginKillsTheProcessWithItsSignalAndSaysWhich) {
  TempDir dir;
  WriteFile(dir / "p.yaml", FaultyPipeline("{fail: segfault, before: 3}"));
  ProcessOptions o = Options(dir);
#if defined(__SANITIZE_ADDRESS__)
  // In build/asan the crash note would hand the signal to ASan's handler, which reports it and
  // exits 1; without that handler the binary dies of the signal as a release build does.
  const char* asan_options = std::getenv("ASAN_OPTIONS");
  o.env["ASAN_OPTIONS"] = std::string(asan_options ? asan_options : "") + ":handle_segv=0";
#endif
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml"}, o);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGSEGV) << DescribeResult(r);
  EXPECT_NE(r.err.find("rivven-connect: fatal signal 11 (SIGSEGV) in native plugin "
                       "'FaultySource' ("),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("of 'faulty', in poll; native plugins run inside the rivven-connect "
                       "process"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace rivven::testing
