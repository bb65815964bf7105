// file -> embedded -> file under kill -9: the set of output lines equals the set of input lines,
// also when the sink writes snappy files that each restart must repair. And a watched directory
// whose files arrive while the pipeline runs.
#include <signal.h>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "formats/compression.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

std::set<std::string> LineSet(const std::string& text) {
  auto v = SplitLines(text);
  return {v.begin(), v.end()};
}

std::string FileToFile(const std::string& input, const std::string& out, bool watch,
                       const std::string& format = "json", const std::string& sink_extra = "") {
  return "sources:\n"
         "  in:\n"
         "    connector: file\n"
         "    topic: rows\n"
         "    topic_config: {partitions: 3}\n"
         "    config: {path: " + input + ", format: " + format + ", watch: " +
         (watch ? "true" : "false") + ", poll_interval_secs: 1}\n"
         "sinks:\n"
         "  out: {connector: file, topics: [rows], config: {path: " +
         out + sink_extra + "}}\n";
}

/// Three files of distinct JSON lines, ~40 MB in all, in dir/in; returns the lines.
std::set<std::string> WriteInput(const TempDir& dir, std::mt19937_64& rng) {
  std::filesystem::create_directories(dir / "in");
  std::set<std::string> expected;
  for (int f = 0; f < 3; ++f) {
    std::string text;
    for (int i = 0; i < 120000; ++i) {
      std::string line = "{\"file\":" + std::to_string(f) + ",\"n\":" + std::to_string(i) +
                         ",\"pad\":\"" + std::to_string(rng()) + std::string(60, 'x') + "\"}";
      expected.insert(line);
      text += line + "\n";
    }
    WriteFile(dir / ("in/part-" + std::to_string(f) + ".jsonl"), text);
  }
  return expected;
}

/// Starts `cmd` and kill -9s it after 10-120 ms, up to 8 times; returns how many kills landed.
int KillRepeatedly(const std::vector<std::string>& cmd, const TempDir& dir, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> delay_ms(10, 120);
  int kills = 0;
  for (int attempt = 0; attempt < 40 && kills < 8; ++attempt) {
    BackgroundProcess p(cmd, {}, dir / "stdout", dir / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!p.Running()) break;
    p.Signal(SIGKILL);
    if (p.Wait(std::chrono::seconds(10)).signal == SIGKILL) ++kills;
  }
  return kills;
}

TEST(FileCrashTest, KillNineOfFileToFileLosesNoLine) {
  TempDir dir;
  std::mt19937_64 rng(11);
  const std::set<std::string> expected = WriteInput(dir, rng);
  WriteFile(dir / "p.yaml", FileToFile(dir / "in", dir / "out", false));
  const std::vector<std::string> cmd = {BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir",
                                        dir / "data"};
  const int kills = KillRepeatedly(cmd, dir, rng);
  EXPECT_GE(kills, 5) << "the run finished too quickly to be killed 5 times";
  auto last = RunProcess(cmd);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  const std::string output = ReadFile(dir / "out/rows.jsonl");
  const auto out_set = LineSet(output);
  EXPECT_EQ(out_set.size(), expected.size());
  EXPECT_TRUE(out_set == expected) << "output lines differ from input lines after " << kills
                                   << " kills";
  std::cout << "kills=" << kills << " lines=" << SplitLines(output).size()
            << " distinct=" << out_set.size() << "\n";
}

TEST(FileCrashTest, KillNineOfASnappySinkLosesNoLineAndTearsNone) {
  TempDir dir;
  std::mt19937_64 rng(12);
  const std::set<std::string> expected = WriteInput(dir, rng);
  WriteFile(dir / "p.yaml",
            FileToFile(dir / "in", dir / "out", false, "json", ", compression: snappy"));
  const std::vector<std::string> cmd = {BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir",
                                        dir / "data"};
  const int kills = KillRepeatedly(cmd, dir, rng);
  EXPECT_GE(kills, 5) << "the run finished too quickly to be killed 5 times";
  auto last = RunProcess(cmd);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  // Each run left a file that the next one repaired and completed; every one decodes whole and
  // holds only complete lines of the input.
  std::set<std::string> out_set;
  size_t files = 0;
  size_t lines = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "out")) {
    const std::string name = e.path().filename();
    ASSERT_TRUE(name.starts_with("rows-") && name.ends_with(".jsonl.sz")) << name;
    auto d = formats::Decompressor::Create(formats::Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    std::string text;
    const Status st = (*d)->Feed(ReadFile(e.path()), &text);
    ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
    ASSERT_TRUE((*d)->at_member_boundary()) << name << ": does not end where a Flush ended it";
    ASSERT_TRUE(text.empty() || text.ends_with("\n")) << name;
    for (const auto& line : SplitLines(text)) {
      EXPECT_TRUE(expected.contains(line)) << name << ": torn or foreign line: " << line;
      out_set.insert(line);
      ++lines;
    }
    ++files;
  }
  EXPECT_TRUE(out_set == expected)
      << out_set.size() << " of " << expected.size() << " lines after " << kills << " kills";
  std::cout << "kills=" << kills << " files=" << files << " lines=" << lines
            << " distinct=" << out_set.size() << "\n";
}

TEST(FileCrashTest, WatchedDirectoryPicksUpFilesArrivingWhileRunning) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  WriteFile(dir / "p.yaml", FileToFile(dir / "in", dir / "out", true, "csv"));
  BackgroundProcess p({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "data"}, {},
                      dir / "stdout", dir / "stderr");
  std::set<std::string> ids;
  for (int f = 0; f < 4; ++f) {
    std::string csv = "id,name\r\n";
    for (int i = 0; i < 50; ++i) {
      const std::string id = std::to_string(f * 1000 + i);
      ids.insert(id);
      csv += id + ",\"name, " + id + "\"\r\n";
    }
    // Written under a temporary name and renamed, as well-behaved producers do.
    WriteFile(dir / ("in/.batch-" + std::to_string(f) + ".tmp"), csv);
    std::filesystem::rename(dir / ("in/.batch-" + std::to_string(f) + ".tmp"),
                            dir / ("in/batch-" + std::to_string(f) + ".csv"));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  // Wait until everything arrived (bounded), then stop gracefully.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline &&
         SplitLines(ReadFile(dir / "out/rows.jsonl")).size() < ids.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  p.Signal(SIGTERM);
  ASSERT_EQ(p.Wait(std::chrono::seconds(30)).exit_code, 0) << ReadFile(dir / "stderr");
  std::set<std::string> seen;
  for (const auto& line : SplitLines(ReadFile(dir / "out/rows.jsonl"))) {
    const auto pos = line.find("\"id\":");
    ASSERT_NE(pos, std::string::npos) << line;
    seen.insert(line.substr(pos + 5, line.find(',', pos) - pos - 5));
    EXPECT_NE(line.find("\"name\":\"name, "), std::string::npos) << line;
  }
  EXPECT_EQ(seen, ids);
}

}  // namespace
}  // namespace rivven::testing
