#include "broker/embedded/partition_log.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <linux/magic.h>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "broker/embedded/partition_reader.h"
#include "broker/embedded/record_batch.h"
#include "broker/embedded/tests/test_util.h"

namespace rivven::embedded {
namespace {

using testing::TempDir;

LogConfig Config(int64_t segment_bytes = 1 << 20) {
  LogConfig c;
  c.segment_bytes = segment_bytes;
  return c;
}

std::unique_ptr<PartitionLog> OpenLog(const std::string& dir, const LogConfig& c,
                                      std::vector<std::string>* report = nullptr,
                                      bool clean = false) {
  std::vector<std::string> ignored;
  auto log = PartitionLog::Open(dir, "t", 0, c, clean, report ? report : &ignored);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

/// One batch of `n` records "<prefix><i>", appended and synced.
Offset AppendBatch(PartitionLog& log, int n, const std::string& prefix = "v", bool sync = true) {
  auto recs = testing::MakeRecords(n, prefix);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  auto end = log.Append(std::span<char>(buf));
  EXPECT_TRUE(end.ok()) << end.status().ToString();
  if (sync) EXPECT_TRUE(log.Sync().ok());
  return end.ok() ? *end : Offset(-1);
}

std::vector<ConsumedRecord> ReadAll(PartitionLog& log, Offset from) {
  PartitionReader reader(&log, from);
  std::vector<ConsumedRecord> out;
  while (true) {
    auto n = reader.Read(1000, &out);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
  }
  return out;
}

void ExpectContiguous(const std::vector<ConsumedRecord>& recs, int64_t first) {
  for (size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(recs[i].offset, Offset(first + static_cast<int64_t>(i)));
  }
}

TEST(PartitionLogTest, AppendIsInvisibleUntilSynced) {
  TempDir dir;
  auto log = OpenLog(dir.path(), Config());
  EXPECT_EQ(AppendBatch(*log, 5, "v", /*sync=*/false), Offset(5));
  EXPECT_EQ(log->durable_end(), Offset(0));
  EXPECT_TRUE(ReadAll(*log, Offset(0)).empty());
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(log->durable_end(), Offset(5));
  auto recs = ReadAll(*log, Offset(0));
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(*recs[4].record.value, "v4");
}

TEST(PartitionLogTest, AckOnWriteMakesAppendsVisibleAtOnce) {
  TempDir dir;
  LogConfig c = Config();
  c.ack_on_write = true;
  auto log = OpenLog(dir.path(), c);
  AppendBatch(*log, 3, "v", /*sync=*/false);
  EXPECT_EQ(log->durable_end(), Offset(3));
  EXPECT_EQ(ReadAll(*log, Offset(0)).size(), 3u);
}

TEST(PartitionLogTest, RollsBySizeAndRebuildsIndexesOnReopen) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Config(8192));
    for (int i = 0; i < 200; ++i) AppendBatch(*log, 10, "value-" + std::to_string(i) + "-");
    ASSERT_TRUE(log->Close().ok());
  }
  const auto logs = testing::LogFiles(dir.path());
  ASSERT_GT(logs.size(), 5u);
  for (size_t i = 0; i + 1 < logs.size(); ++i) {
    EXPECT_LE(std::filesystem::file_size(logs[i]), 8192u) << logs[i];
    std::filesystem::remove(logs[i].substr(0, logs[i].size() - 4) + ".index");
  }
  std::vector<std::string> report;
  auto log = OpenLog(dir.path(), Config(8192), &report);
  EXPECT_EQ(report.size(), logs.size() - 1) << "one rebuilt index per sealed segment";
  for (const auto& line : report) EXPECT_NE(line.find("rebuilt"), std::string::npos) << line;
  auto recs = ReadAll(*log, Offset(0));
  ASSERT_EQ(recs.size(), 2000u);
  ExpectContiguous(recs, 0);
  // Random access lands exactly, through the index of a sealed and of the active segment.
  for (int64_t o : {0, 17, 999, 1234, 1999}) {
    auto one = ReadAll(*log, Offset(o));
    ASSERT_FALSE(one.empty());
    EXPECT_EQ(one.front().offset, Offset(o));
  }
  EXPECT_EQ(log->Info().segments, static_cast<int32_t>(logs.size()));
  EXPECT_EQ(AppendBatch(*log, 1), Offset(2001));
}

class RecoveryTest : public ::testing::TestWithParam<bool> {};

// Write 10 batches; break the last one (torn: cut mid-batch; corrupt: flip bytes); reopen.
TEST_P(RecoveryTest, BrokenLastBatchIsDroppedAndReportedAndEveryIntactBatchKept) {
  const bool flip = GetParam();
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Config());
    for (int i = 0; i < 10; ++i) AppendBatch(*log, 7, "b" + std::to_string(i) + "-");
  }
  const std::string seg = testing::LogFiles(dir.path()).back();
  const auto size = std::filesystem::file_size(seg);
  if (flip) {
    std::string bytes = testing::ReadFileBytes(seg);
    for (size_t i = bytes.size() - 30; i < bytes.size() - 20; ++i) bytes[i] ^= 0x5A;
    testing::WriteFileBytes(seg, bytes);
  } else {
    std::filesystem::resize_file(seg, size - 37);
  }
  std::vector<std::string> report;
  auto log = OpenLog(dir.path(), Config(), &report);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_NE(report[0].find(seg), std::string::npos) << report[0];
  EXPECT_NE(report[0].find(flip ? "CRC mismatch" : "incomplete batch"), std::string::npos)
      << report[0];
  EXPECT_NE(report[0].find("records from offset 63"), std::string::npos) << report[0];
  EXPECT_NE(report[0].find("9 intact batch(es)"), std::string::npos) << report[0];
  auto recs = ReadAll(*log, Offset(0));
  ASSERT_EQ(recs.size(), 63u);
  ExpectContiguous(recs, 0);
  EXPECT_EQ(*recs.back().record.value, "b8-6");
  EXPECT_LT(std::filesystem::file_size(seg), size);
  // The log goes on from the cut; a second reopen finds nothing to repair.
  EXPECT_EQ(AppendBatch(*log, 2, "after"), Offset(65));
  log.reset();
  report.clear();
  log = OpenLog(dir.path(), Config(), &report);
  EXPECT_TRUE(report.empty());
  EXPECT_EQ(ReadAll(*log, Offset(0)).size(), 65u);
}

INSTANTIATE_TEST_SUITE_P(TornAndCorrupt, RecoveryTest, ::testing::Values(false, true));

TEST(PartitionLogTest, CleanShutdownSkipsTheFullScanButStillChecksTheTail) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Config());
    for (int i = 0; i < 100; ++i) AppendBatch(*log, 20);
    ASSERT_TRUE(log->Close().ok());
  }
  std::vector<std::string> report;
  {
    auto log = OpenLog(dir.path(), Config(), &report, /*clean=*/true);
    EXPECT_TRUE(report.empty());
    EXPECT_EQ(log->durable_end(), Offset(2000));
  }
  // A clean marker cannot hide a damaged tail: the check falls back to the full scan.
  const std::string seg = testing::LogFiles(dir.path()).back();
  std::filesystem::resize_file(seg, std::filesystem::file_size(seg) - 5);
  auto log = OpenLog(dir.path(), Config(), &report, /*clean=*/true);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(log->durable_end(), Offset(1980));
}

TEST(PartitionLogTest, DamageInAnEarlierSegmentIsNeverDroppedSilently) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Config(16384));  // several index entries per segment
    for (int i = 0; i < 300; ++i) AppendBatch(*log, 10);
  }
  const auto logs = testing::LogFiles(dir.path());
  ASSERT_GT(logs.size(), 2u);
  std::string bytes = testing::ReadFileBytes(logs[0]);
  const size_t damaged = 100;  // inside the first batch
  bytes[damaged] ^= 0x01;
  testing::WriteFileBytes(logs[0], bytes);

  // With its index intact the open-time check covers only the segment's tail; reading reaches
  // the damage and reports it.
  {
    auto log = OpenLog(dir.path(), Config(16384));
    ASSERT_NE(log, nullptr);
    PartitionReader reader(log.get(), Offset(0));
    std::vector<ConsumedRecord> out;
    auto n = reader.Read(100, &out);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.status().code(), StatusCode::kCorruption);
    EXPECT_NE(n.status().message().find(logs[0]), std::string::npos) << n.status().message();
    EXPECT_NE(n.status().message().find("at byte 0"), std::string::npos) << n.status().message();
  }
  // Without it the full validation on open finds it and refuses to open.
  std::filesystem::remove(logs[0].substr(0, logs[0].size() - 4) + ".index");
  std::vector<std::string> report;
  auto opened = PartitionLog::Open(dir.path(), "t", 0, Config(16384), false, &report);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find(logs[0]), std::string::npos);
  EXPECT_NE(opened.status().message().find("at byte 0"), std::string::npos)
      << opened.status().message();
}

TEST(PartitionLogTest, RetentionBySizeDeletesOldestWholeSegmentsNeverTheActiveOne) {
  TempDir dir;
  LogConfig c = Config(4096);
  c.retention_bytes = 10000;
  auto log = OpenLog(dir.path(), c);
  for (int i = 0; i < 100; ++i) AppendBatch(*log, 10, std::string(50, 'r'));
  const auto before = log->Info();
  ASSERT_GT(before.size_bytes, 20000);
  std::vector<std::string> removed;
  ASSERT_TRUE(log->EnforceRetention(NowMs(), &removed).ok());
  const auto after = log->Info();
  EXPECT_FALSE(removed.empty());
  EXPECT_GE(after.size_bytes, 10000);
  EXPECT_LT(after.size_bytes, 10000 + 4096 + 1000);
  EXPECT_GT(after.start_offset, Offset(0));
  EXPECT_EQ(after.end_offset, Offset(1000));
  EXPECT_EQ(static_cast<size_t>(after.segments), testing::LogFiles(dir.path()).size());
  // A consumer behind the new start moves up to it.
  auto recs = ReadAll(*log, Offset(0));
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.front().offset, after.start_offset);
  EXPECT_EQ(recs.back().offset, Offset(999));
  // Everything but the active segment can go; the active one never does.
  LogConfig all = c;
  all.retention_bytes = 0;
  log.reset();
  log = OpenLog(dir.path(), all);
  ASSERT_TRUE(log->EnforceRetention(NowMs(), &removed).ok());
  EXPECT_EQ(log->Info().segments, 1);
  EXPECT_EQ(log->Info().end_offset, Offset(1000));
}

TEST(PartitionLogTest, RetentionByTimeUsesTheLastWriteOfEachSegment) {
  TempDir dir;
  LogConfig c = Config(4096);
  c.retention_ms = 60 * 60 * 1000;
  auto log = OpenLog(dir.path(), c);
  for (int i = 0; i < 40; ++i) AppendBatch(*log, 10, std::string(50, 't'));
  auto logs = testing::LogFiles(dir.path());
  ASSERT_GT(logs.size(), 3u);
  // The two oldest segments were last written two hours ago; so was the active one.
  const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours(2);
  std::filesystem::last_write_time(logs[0], old);
  std::filesystem::last_write_time(logs[1], old);
  std::filesystem::last_write_time(logs.back(), old);
  std::vector<std::string> removed;
  ASSERT_TRUE(log->EnforceRetention(NowMs(), &removed).ok());
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_NE(removed[0].find("retention_ms"), std::string::npos) << removed[0];
  EXPECT_FALSE(std::filesystem::exists(logs[0]));
  EXPECT_FALSE(std::filesystem::exists(logs[1]));
  EXPECT_TRUE(std::filesystem::exists(logs[2]));
  EXPECT_TRUE(std::filesystem::exists(logs.back()));
}

// RLIMIT_FSIZE with SIGXFSZ ignored makes write(2) fail with EFBIG past the limit, as a full
// disk fails with ENOSPC: the append must fail cleanly and leave the log as it was.
TEST(PartitionLogTest, FailedWriteIsCutBackAndTheLogStaysConsistent) {
  TempDir dir;
  auto log = OpenLog(dir.path(), Config());
  for (int i = 0; i < 5; ++i) AppendBatch(*log, 10);
  const std::string seg = testing::LogFiles(dir.path()).back();
  const auto size = std::filesystem::file_size(seg);

  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = size + 100;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  auto recs = testing::MakeRecords(50, std::string(100, 'z'));
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  auto failed = log->Append(std::span<char>(buf));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  ::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(seg), std::string::npos) << failed.status().message();
  EXPECT_NE(failed.status().message().find("too large"), std::string::npos)
      << failed.status().message();
  EXPECT_EQ(std::filesystem::file_size(seg), size) << "the partial write was cut back";
  EXPECT_FALSE(log->failed());
  EXPECT_EQ(AppendBatch(*log, 3, "ok"), Offset(53));  // the same offsets are reused
  log.reset();
  std::vector<std::string> report;
  log = OpenLog(dir.path(), Config(), &report);
  EXPECT_TRUE(report.empty());
  auto all = ReadAll(*log, Offset(0));
  ASSERT_EQ(all.size(), 53u);
  ExpectContiguous(all, 0);
  EXPECT_EQ(*all.back().record.value, "ok2");
}

TEST(PartitionLogTest, ReadOnlyViewFollowsAGrowingAndRollingLog) {
  TempDir dir;
  auto writer = OpenLog(dir.path(), Config(4096));
  AppendBatch(*writer, 10);
  LogConfig ro = Config(4096);
  ro.read_only = true;
  auto view = OpenLog(dir.path(), ro);
  PartitionReader reader(view.get(), Offset(0));
  std::vector<ConsumedRecord> out;
  ASSERT_TRUE(reader.Read(1000, &out).ok());
  EXPECT_EQ(out.size(), 10u);
  for (int i = 0; i < 50; ++i) AppendBatch(*writer, 10, std::string(50, 'w'));  // rolls
  AppendBatch(*writer, 5, "tail", /*sync=*/false);  // written, not yet synced: visible too
  while (true) {
    auto n = reader.Read(1000, &out);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
  }
  ASSERT_EQ(out.size(), 515u);
  ExpectContiguous(out, 0);
  EXPECT_EQ(view->Info().end_offset, Offset(515));
  EXPECT_GT(view->Info().segments, 3);
  // The view never writes.
  auto recs = testing::MakeRecords(1);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  EXPECT_EQ(view->Append(std::span<char>(buf)).status().code(), StatusCode::kFailedPrecondition);
}

/// Per page of `path`: is it in the OS page cache?
std::vector<bool> CachedPages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  const auto size = static_cast<size_t>(std::filesystem::file_size(path));
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<bool> out;
  if (size == 0) {
    ::close(fd);
    return out;
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  EXPECT_NE(map, MAP_FAILED) << path;
  std::vector<unsigned char> resident((size + page - 1) / page);
  EXPECT_EQ(::mincore(map, size, resident.data()), 0) << path;
  for (unsigned char r : resident) out.push_back((r & 1) != 0);
  ::munmap(map, size);
  ::close(fd);
  return out;
}

/// Writes ~1 MiB through 64 KiB segments with the given page_cache_bytes; returns, per page of
/// the whole log in offset order, whether it is cached, and checks every record reads back.
std::vector<bool> CachedPagesAfterWriting(const std::string& dir, int64_t page_cache_bytes) {
  LogConfig c = Config(64 << 10);
  c.page_cache_bytes = page_cache_bytes;
  auto log = OpenLog(dir, c);
  for (int i = 0; i < 100; ++i) AppendBatch(*log, 40, std::string(200, 'x') + std::to_string(i));
  std::vector<bool> pages;
  for (const auto& path : testing::LogFiles(dir)) {
    auto cached = CachedPages(path);
    pages.insert(pages.end(), cached.begin(), cached.end());
  }
  auto recs = ReadAll(*log, Offset(0));
  EXPECT_EQ(recs.size(), 4000u);
  ExpectContiguous(recs, 0);
  return pages;
}

TEST(PartitionLogTest, SyncedLogOlderThanPageCacheBytesLeavesThePageCache) {
  TempDir dir;
  struct statfs fs;
  ASSERT_EQ(::statfs(dir.path().c_str(), &fs), 0);
  if (fs.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs pages cannot be dropped from the cache";
  TempDir kept_dir;

  // Kernel-managed: what was just written stays cached (the contrast that shows the check works).
  const auto kept = CachedPagesAfterWriting(kept_dir.path(), -1);
  ASSERT_GT(kept.size(), 200u);
  EXPECT_TRUE(kept.front() && kept[kept.size() / 2] && kept.back());

  // 32 KiB window: every page more than 32 KiB behind the newest synced byte was dropped after
  // its sync, except that the active segment is released in 2 MiB steps (here: not before it is
  // complete), so one 64 KiB segment more may stay; the newest pages stay.
  const auto pages = CachedPagesAfterWriting(dir.path(), 32 << 10);
  ASSERT_GT(pages.size(), 200u);
  const size_t window_pages = (32 + 64) / 4 + 2;
  size_t cached_old = 0;
  for (size_t i = 0; i + window_pages < pages.size(); ++i) cached_old += pages[i] ? 1 : 0;
  EXPECT_EQ(cached_old, 0u) << "of " << pages.size() << " pages";
  EXPECT_TRUE(pages.back()) << "the newest page stays cached for consumers at the tail";
}

}  // namespace
}  // namespace rivven::embedded
