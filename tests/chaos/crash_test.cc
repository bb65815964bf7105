// Kill -9 at random moments, restart, and prove nothing was lost: datagen orders (seed 42,
// 200,000 events) -> a 3-partition embedded topic -> file sink.
#include <signal.h>

#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

TEST(CrashTest, KillNineAtRandomMomentsLosesNoOrder) {
  constexpr int64_t kEvents = 200000;
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  gen:\n"
            "    connector: datagen\n"
            "    topic: orders\n"
            "    topic_config: {partitions: 3}\n"
            "    config: {pattern: orders, seed: 42, events_per_second: 0, max_events: " +
                std::to_string(kEvents) + "}\n"
            "sinks:\n"
            "  out:\n"
            "    connector: file\n"
            "    topics: [orders]\n"
            "    config: {path: " + (dir / "out") + "}\n");
  const std::vector<std::string> cmd = {BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir",
                                        dir / "data"};
  std::mt19937 rng(std::random_device{}());
  // The whole run takes well under a second in a release build, so the kills come early and
  // often: each life makes some progress, then dies at a random instant.
  std::uniform_int_distribution<int> delay_ms(5, 60);
  int kills = 0;
  for (int attempt = 0; attempt < 40 && kills < 8; ++attempt) {
    BackgroundProcess p(cmd, {}, dir / "stdout", dir / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!p.Running()) break;  // finished before we could kill it
    p.Signal(SIGKILL);
    auto r = p.Wait(std::chrono::seconds(10));
    if (r.signal == SIGKILL) ++kills;
  }
  EXPECT_GE(kills, 5) << "the run finished too quickly to be killed 5 times";

  auto last = RunProcess(cmd, {});
  ASSERT_EQ(last.exit_code, 0) << last.err;

  std::vector<bool> seen(kEvents + 1, false);
  int64_t lines = 0, distinct = 0;
  for (const auto& line : SplitLines(ReadFile(dir / "out/orders.jsonl"))) {
    ++lines;
    const auto p = line.find("\"order_id\":");
    ASSERT_NE(p, std::string::npos) << "malformed line: " << line;
    const int64_t id = std::stoll(line.substr(p + 11));
    ASSERT_GE(id, 1);
    ASSERT_LE(id, kEvents);
    if (!seen[id]) ++distinct;
    seen[id] = true;
  }
  EXPECT_EQ(distinct, kEvents) << "missing orders after " << kills << " kills";
  std::cout << "kills=" << kills << " lines=" << lines << " duplicates=" << (lines - distinct)
            << "\n";
}

}  // namespace
}  // namespace rivven::testing
