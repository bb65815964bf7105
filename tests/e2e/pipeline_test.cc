// Whole-binary pipeline behaviour: determinism, graceful drain, the data-dir lock,
// disabled connectors, a full disk.
#include <signal.h>

#include <unistd.h>

#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

std::string DatagenToFile(const std::string& out_dir, int64_t max_events, int64_t eps,
                          const std::string& extra_sources = "") {
  return "version: \"1.0\"\n"
         "sources:\n"
         "  gen:\n"
         "    connector: datagen\n"
         "    topic: orders\n"
         "    topic_config: {partitions: 3}\n"
         "    config: {pattern: orders, seed: 42, events_per_second: " + std::to_string(eps) +
         ", max_events: " + std::to_string(max_events) + "}\n" + extra_sources +
         "sinks:\n"
         "  out:\n"
         "    connector: file\n"
         "    topics: [orders]\n"
         "    config: {path: " + out_dir + "}\n";
}

std::set<std::string> Lines(const std::string& path) {
  auto v = SplitLines(ReadFile(path));
  return {v.begin(), v.end()};
}

TEST(PipelineTest, SameSeedGivesByteIdenticalRecords) {
  TempDir a, b;
  WriteFile(a / "p.yaml", DatagenToFile(a / "out", 3000, 0));
  WriteFile(b / "p.yaml", DatagenToFile(b / "out", 3000, 0));
  ASSERT_EQ(RunProcess({BinaryPath(), "run", "-c", a / "p.yaml", "--data-dir", a / "d"}).exit_code, 0);
  ASSERT_EQ(RunProcess({BinaryPath(), "run", "-c", b / "p.yaml", "--data-dir", b / "d"}).exit_code, 0);
  const auto la = Lines(a / "out/orders.jsonl");
  EXPECT_EQ(la.size(), 3000u);
  EXPECT_EQ(la, Lines(b / "out/orders.jsonl"));
}

TEST(PipelineTest, SigtermDrainsAndExitsZero) {
  TempDir dir;
  WriteFile(dir / "p.yaml", DatagenToFile(dir / "out", 0, 2000));
  BackgroundProcess p({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                      dir / "stdout", dir / "stderr");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(p.Running()) << ReadFile(dir / "stderr");
  p.Signal(SIGTERM);
  auto r = p.Wait(std::chrono::seconds(30));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << ReadFile(dir / "stderr");
  const auto lines = SplitLines(ReadFile(dir / "out/orders.jsonl"));
  EXPECT_GT(lines.size(), 100u);
  // Everything written was committed: the group's lag on the topic is what was not yet read.
  auto d = RunProcess({BinaryPath(), "topics", "describe", "orders", "--group", "out",
                       "--data-dir", dir / "d"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("COMMITTED"), std::string::npos) << d.out;
}

TEST(PipelineTest, SecondProcessOnSameDataDirGetsClearError) {
  TempDir dir;
  WriteFile(dir / "p.yaml", DatagenToFile(dir / "out", 0, 10));
  BackgroundProcess first({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                          dir / "stdout", dir / "stderr");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_TRUE(first.Running()) << ReadFile(dir / "stderr");
  auto second = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("in use by process " + std::to_string(first.pid())), std::string::npos)
      << second.err;
  first.Signal(SIGINT);
  EXPECT_EQ(first.Wait(std::chrono::seconds(30)).exit_code, 0);
}

/// CPU seconds (user + system) the process has used so far, from /proc/PID/stat.
double CpuSeconds(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

TEST(PipelineTest, IdlePipelineUsesAlmostNoCpu) {
  TempDir dir;
  WriteFile(dir / "p.yaml", DatagenToFile(dir / "out", 0, 2));
  BackgroundProcess p({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                      dir / "stdout", dir / "stderr");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_TRUE(p.Running()) << ReadFile(dir / "stderr");
  const double before = CpuSeconds(p.pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  const double used = CpuSeconds(p.pid()) - before;
  EXPECT_LT(used, 0.15) << "an almost idle pipeline used " << used << " CPU s in 3 s";
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(std::chrono::seconds(30)).exit_code, 0);
}

TEST(PipelineTest, SourceRateLimitIsAccurateOverTenSeconds) {
  TempDir dir;
  // 5,050 events at 500/s with a burst of 50: 50 pass at once, the other 5,000 take 10 s.
  WriteFile(dir / "p.yaml",
            "sources:\n"
            "  gen:\n"
            "    connector: datagen\n"
            "    topic: orders\n"
            "    rate_limit: {events_per_second: 500, burst_capacity: 50}\n"
            "    config: {pattern: orders, seed: 1, events_per_second: 0, max_events: 5050}\n"
            "sinks:\n"
            "  out: {connector: file, topics: [orders], config: {path: " + (dir / "out") + "}}\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/orders.jsonl")).size(), 5050u);
  EXPECT_GT(secs, 10.0 * 0.95);
  EXPECT_LT(secs, 10.0 * 1.05 + 0.3);  // + process start and drain
}

TEST(PipelineTest, SinkRateLimitThrottlesDelivery) {
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "sources:\n"
            "  gen: {connector: datagen, topic: orders, config: {pattern: orders, events_per_second: 0, max_events: 1020}}\n"
            "sinks:\n"
            "  out:\n"
            "    connector: file\n"
            "    topics: [orders]\n"
            "    rate_limit: {events_per_second: 500, burst_capacity: 20}\n"
            "    config: {path: " + (dir / "out") + "}\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/orders.jsonl")).size(), 1020u);
  EXPECT_GT(secs, 1.9);
  EXPECT_LT(secs, 3.0);
}

TEST(PipelineTest, DisabledSourceDoesNotRun) {
  TempDir dir;
  const std::string extra =
      "  off:\n    connector: datagen\n    topic: orders\n    enabled: false\n"
      "    config: {pattern: orders, max_events: 0, events_per_second: 0}\n";
  WriteFile(dir / "p.yaml", DatagenToFile(dir / "out", 50, 0, extra));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the unbounded disabled source would never end
  EXPECT_EQ(Lines(dir / "out/orders.jsonl").size(), 50u);
}

TEST(PipelineTest, SinkReadsSeveralTopics) {
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "sources:\n"
            "  a: {connector: datagen, topic: ta, config: {pattern: users, max_events: 30, events_per_second: 0}}\n"
            "  b: {connector: datagen, topic: tb, config: {pattern: pageviews, max_events: 40, events_per_second: 0}}\n"
            "sinks:\n"
            "  out: {connector: file, topics: [ta, tb], consumer_group: g1, config: {path: " + (dir / "out") + "}}\n");
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/ta.jsonl")).size(), 30u);
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/tb.jsonl")).size(), 40u);
}

TEST(PipelineTest, FullDiskFailsClearlyAndLosesNothing) {
  TempDir dir;
  WriteFile(dir / "p.yaml", DatagenToFile(dir / "out", 20000, 0));
  ProcessOptions limited;
  limited.file_size_limit_bytes = 256 * 1024;  // every file may grow to 256 KiB only
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, limited);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(r.err.find("File too large") != std::string::npos ||
              r.err.find("No space") != std::string::npos)
      << r.err;
  // With room again, the same command completes and every order arrives.
  auto again = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  std::set<std::string> ids;
  for (const auto& line : Lines(dir / "out/orders.jsonl")) {
    const auto p = line.find("\"order_id\":");
    if (p != std::string::npos) ids.insert(line.substr(p + 11, line.find(',', p) - p - 11));
  }
  EXPECT_EQ(ids.size(), 20000u);
}

}  // namespace
}  // namespace rivven::testing

namespace rivven::testing {
namespace {

TEST(TransformsPipelineTest, SourceChainFiltersMasksAndRoutesToAutoCreatedTopics) {
  TempDir dir;
  WriteFile(dir / "p.yaml", R"(sources:
  gen:
    connector: datagen
    topic: orders
    config: {pattern: orders, seed: 4, events_per_second: 0, max_events: 2000}
    transforms:
      - type: Filter
        config: {condition: "value.total > 100"}
      - type: MaskField
        config: {fields: [product]}
      - type: ContentRouter
        config:
          field: status
          routes: {paid: orders-paid, shipped: orders-shipped}
          default: orders-other
sinks:
  out:
    connector: file
    topics: [orders-paid]
    transforms:
      - type: InsertField
        config: {static: {via: sink}, offset.field: off}
    config: {path: )" + (dir / "out") + "}\n");
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto paid = SplitLines(ReadFile(dir / "out/orders-paid.jsonl"));
  ASSERT_FALSE(paid.empty());
  int64_t expected_offset = 0;
  for (const auto& line : paid) {
    EXPECT_NE(line.find("\"status\":\"paid\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"via\":\"sink\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"off\":" + std::to_string(expected_offset++)), std::string::npos) << line;
    const auto p = line.find("\"product\":\"");
    ASSERT_NE(p, std::string::npos);
    const auto end = line.find('"', p + 11);
    EXPECT_EQ(line.substr(p + 11, end - p - 11).find_first_not_of('*'), std::string::npos) << line;
    const auto t = line.find("\"total\":");
    EXPECT_GT(std::stod(line.substr(t + 8)), 100.0) << line;
  }
  // The routed topics nobody subscribed to were created too and hold the other records.
  auto list = RunProcess({BinaryPath(), "topics", "list", "--data-dir", dir / "d"});
  EXPECT_NE(list.out.find("orders-shipped"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("orders-other"), std::string::npos) << list.out;
}

TEST(TransformsPipelineTest, BadExpressionIsAConfigErrorWithACaret) {
  TempDir dir;
  WriteFile(dir / "p.yaml", R"(sources:
  gen:
    connector: datagen
    topic: orders
    config: {pattern: orders}
    transforms:
      - type: Filter
        config: {condition: "value.total >> 100"}
      - type: MaskFeld
)");
  auto r = RunProcess({BinaryPath(), "validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("value.total >> 100"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'MaskField'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sources.gen.transforms"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rivven::testing
