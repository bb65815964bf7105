// Chaos: the data dir on a small tmpfs that the test fills up while datagen -> embedded topic ->
// file sink runs (the output is elsewhere). The pipeline must wait with a clear error naming the
// file and "No space left on device", survive a kill -9 while the disk is full, and once space is
// freed continue with nothing lost. Mounting needs root (CAP_SYS_ADMIN): where it is not
// permitted, the test is skipped and says why (tests/chaos/README.md).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "chaos/chaos_support.h"

namespace rivven::testing::chaos {
namespace {

/// A tmpfs of `bytes` mounted on `path` for the test's lifetime (lazily unmounted at the end).
class TmpfsMount {
 public:
  TmpfsMount(std::string path, int64_t bytes) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = "cannot mount a tmpfs on " + path_ + ": " + std::strerror(errno) +
               (errno == EPERM ? " (mounting needs root with CAP_SYS_ADMIN)" : "");
    }
  }
  ~TmpfsMount() {
    if (error_.empty()) ::umount2(path_.c_str(), MNT_DETACH);
  }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
};

/// Writes `path` until the file system is full; returns the bytes written.
int64_t FillUp(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  const std::string chunk(64 * 1024, 'x');
  int64_t written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) break;
    written += n;
  }
  // The last few pages: single bytes, so not even a small append fits any more.
  while (::write(fd, "x", 1) == 1) ++written;
  ::close(fd);
  return written;
}

std::vector<int64_t> OrderIds(const std::string& path) {
  static const std::regex id("\"order_id\":([0-9]+)");
  const std::string text = ReadFile(path);
  std::vector<int64_t> ids;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator();
       ++it) {
    ids.push_back(std::stoll((*it)[1]));
  }
  return ids;
}

TEST(FullDiskChaosTest, AFullDataDirWaitsWithAClearErrorAndLosesNothingOnceFreed) {
  TempDir dir;
  // Big enough for every record of the long run (38,000 orders of ~250 bytes): the disk is full
  // only while the test fills it.
  TmpfsMount disk(dir / "data", 64LL << 20);
  if (!disk.error().empty()) {
    ReportSkipped("datagen → embedded (full tmpfs) → file", disk.error());
    GTEST_SKIP() << disk.error();
  }
  const int rounds = Scaled(2, 8);
  const int rate = 2000;
  constexpr int kFullMs = 2500;
  // The generator is held up while the disk is full, so it gets about two seconds of orders per
  // round (one round is a second of room and 2.5 s full): enough to outlast the faults, and the
  // run ends a few seconds after the last one.
  const int64_t orders = static_cast<int64_t>(rate) * (rounds * 2 + 3);
  WriteFile(dir / "p.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "settings: {shutdown_timeout_ms: 10000}\n"
            "sources:\n"
            "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 4, "
            "events_per_second: " + std::to_string(rate) + ", max_events: " +
                std::to_string(orders) + "}}\n"
            "sinks:\n"
            "  out: {connector: file, topics: [orders], config: {path: " + dir / "out" + "}}\n");
  ConnectProcess connect(dir / "p.yaml", dir.path());
  connect.Start();
  const std::string filler = dir / "data/filler";
  int fills = 0, kills = 0;
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(milliseconds(1000));
    ASSERT_GT(FillUp(filler), 0);
    ++fills;
    std::this_thread::sleep_for(milliseconds(kFullMs / 2));
    if (round % 2 == 1) {  // a restart on a full disk: opening the data dir must not lose data
      ASSERT_TRUE(connect.KillAndRestart()) << "rivven-connect had exited\n" << connect.Log();
      ++kills;
    }
    std::this_thread::sleep_for(milliseconds(kFullMs / 2));
    ASSERT_TRUE(connect.Running()) << "rivven-connect exited on a full disk instead of waiting\n"
                                   << connect.Log();
    std::filesystem::remove(filler);
  }
  const auto last_fault = Clock::now();
  const std::string log = ReadFile(connect.stderr_path());
  EXPECT_NE(log.find("No space left on device"), std::string::npos)
      << "the full disk was never reported\n" << connect.Log();
  EXPECT_NE(log.find(dir / "data"), std::string::npos)
      << "the error does not name the file in the data dir\n" << connect.Log();
  if (const size_t at = log.find("No space left on device"); at != std::string::npos) {
    const size_t begin = log.rfind('\n', at) + 1;
    std::cout << "full disk reported as: " << log.substr(begin, log.find('\n', at) - begin) << "\n";
  }

  std::set<int64_t> produced;
  for (int64_t id = 1; id <= orders; ++id) produced.insert(id);
  const bool ended = WaitUntil([&] { return !connect.Running(); }, seconds(120));
  const double recovery = SecondsSince(last_fault);
  EXPECT_TRUE(ended) << "the bounded run did not end within 120 s\n" << connect.Log();
  EXPECT_EQ(connect.Stop(), 0) << connect.Log();
  const Tally tally = Compare(produced, OrderIds(dir / "out/orders.jsonl"));
  EXPECT_EQ(tally.missing, 0) << tally.missing_sample << "\n" << connect.Log();
  EXPECT_EQ(tally.unexpected, 0);
  // A failed append is cut back and retried, so only the kills replay: each at most the
  // generator's last second (2,000 orders) of uncheckpointed or uncommitted records.
  EXPECT_LE(tally.duplicates, static_cast<int64_t>(kills) * rate) << "kills " << kills;
  Report("datagen → embedded (full tmpfs) → file",
         std::to_string(fills) + " disk-full periods of " + std::to_string(kFullMs / 1000.0).substr(0, 3) +
             " s, " + std::to_string(kills) + " kill -9 while full",
         tally, recovery);
}

}  // namespace
}  // namespace rivven::testing::chaos
