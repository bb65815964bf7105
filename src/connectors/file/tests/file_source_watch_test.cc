// The file source following files (watch: true): appends, partial lines, rotation,
// truncation, new files, and waiting without CPU until data or a stop arrives.
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_source.h"
#include "connectors/file/tests/file_test_util.h"

namespace rivven::file {
namespace {

using std::chrono::milliseconds;
using Values = std::vector<std::string>;

using testing::AppendFile;
using testing::TempDir;
using testing::WriteFile;

FileSourceConfig WatchConfig(const std::string& path, int poll_interval_secs = 1) {
  FileSourceConfig c;
  c.path = path;
  c.watch = true;
  c.poll_interval = std::chrono::seconds(poll_interval_secs);
  return c;
}

std::unique_ptr<FileSource> OpenSource(const FileSourceConfig& c,
                                       const std::optional<std::string>& checkpoint = {}) {
  ConnectorContext ctx;
  ctx.name = "tail";
  auto s = std::make_unique<FileSource>(c, ctx);
  Status st = s->Open(checkpoint);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

// Polls until `n` records arrived or `timeout` passed; a watching source never finishes.
Values PollFor(FileSource& s, size_t n, milliseconds timeout = milliseconds(5000),
               std::string* position = nullptr) {
  Values out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto batch = s.Poll(n - out.size(), milliseconds(100), {});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    EXPECT_FALSE(batch->finished);
    for (auto& r : batch->records) out.push_back(*r.value);
    if (position && !batch->position.empty()) *position = batch->position;
  }
  return out;
}

// Polls for `duration` and returns whatever arrived (expected: nothing).
Values PollQuietly(FileSource& s, milliseconds duration) { return PollFor(s, SIZE_MAX, duration); }

TEST(FileSourceWatchTest, AppendedLinesArePickedUp) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", "{\"n\":1}\n{\"n\":2}\n");
  auto s = OpenSource(WatchConfig(dir.path()));
  EXPECT_EQ(PollFor(*s, 2), (Values{R"({"n":1})", R"({"n":2})"}));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(300)).empty());
  AppendFile(dir / "a.jsonl", "{\"n\":3}\n{\"n\":4}\n");
  EXPECT_EQ(PollFor(*s, 2), (Values{R"({"n":3})", R"({"n":4})"}));
}

TEST(FileSourceWatchTest, PartialLastLineWaitsForItsLineBreak) {
  TempDir dir;
  const std::string path = dir / "p.jsonl";
  WriteFile(path, "{\"n\":1}\n{\"n\":");
  auto s = OpenSource(WatchConfig(path));
  std::string position;
  EXPECT_EQ(PollFor(*s, 1, milliseconds(5000), &position), (Values{R"({"n":1})"}));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(1500)).empty());  // longer than poll_interval
  AppendFile(path, "2}");
  EXPECT_TRUE(PollQuietly(*s, milliseconds(300)).empty());
  AppendFile(path, "\n");
  EXPECT_EQ(PollFor(*s, 1), (Values{R"({"n":2})"}));
  // The position taken while the line was partial resumes before it.
  auto again = OpenSource(WatchConfig(path), position);
  EXPECT_EQ(PollFor(*again, 1), (Values{R"({"n":2})"}));
}

TEST(FileSourceWatchTest, CsvPartialQuotedRecordWaits) {
  TempDir dir;
  const std::string path = dir / "p.csv";
  WriteFile(path, "a,b\n1,\"multi\n");
  FileSourceConfig c = WatchConfig(path);
  c.format = SourceFormat::kCsv;
  auto s = OpenSource(c);
  EXPECT_TRUE(PollQuietly(*s, milliseconds(300)).empty());
  AppendFile(path, "line\"\n");
  EXPECT_EQ(PollFor(*s, 1), (Values{R"({"a":1,"b":"multi\nline"})"}));
}

// Rotation by rename: the old inode is finished through the descriptor the source holds, its
// partial last line once it has been quiet for poll_interval_secs; the new file is read from
// its start; nothing twice.
void ExpectRotationHandled(const FileSourceConfig& config, const std::string& log) {
  WriteFile(log, "{\"n\":1}\n{\"n\":2}\n");
  auto s = OpenSource(config);
  ASSERT_EQ(PollFor(*s, 2), (Values{R"({"n":1})", R"({"n":2})"}));
  AppendFile(log, "{\"n\":3}\n");
  std::filesystem::rename(log, log + ".1");
  AppendFile(log + ".1", "{\"n\":4}\n{\"n\":5}");  // the writer has not reopened yet
  WriteFile(log, "{\"n\":6}\n");
  Values got = PollFor(*s, 4, milliseconds(8000));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Values{R"({"n":3})", R"({"n":4})", R"({"n":5})", R"({"n":6})"}));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(1500)).empty());
}

TEST(FileSourceWatchTest, RotationOfAWatchedFile) {
  TempDir dir;
  ExpectRotationHandled(WatchConfig(dir / "app.log"), dir / "app.log");
}

TEST(FileSourceWatchTest, RotationInAWatchedDirectory) {
  TempDir dir;
  FileSourceConfig c = WatchConfig(dir.path());
  c.include = "*.log";  // app.log.1 is out of view once renamed
  ExpectRotationHandled(c, dir / "app.log");
}

TEST(FileSourceWatchTest, TruncationRereadsFromTheStart) {
  TempDir dir;
  const std::string path = dir / "t.jsonl";
  WriteFile(path, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  auto s = OpenSource(WatchConfig(path));
  ASSERT_EQ(PollFor(*s, 3).size(), 3u);
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "{\"n\":9}\n");
  EXPECT_EQ(PollFor(*s, 1), (Values{R"({"n":9})"}));
  // copytruncate that grew past the old offset before the source looked: first bytes differ.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "{\"m\":1}\n{\"m\":2}\n{\"m\":3}\n");
  EXPECT_EQ(PollFor(*s, 3), (Values{R"({"m":1})", R"({"m":2})", R"({"m":3})"}));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(300)).empty());
}

TEST(FileSourceWatchTest, FilesArrivingInTheDirectoryArePickedUp) {
  TempDir dir;
  auto s = OpenSource(WatchConfig(dir.path(), /*poll_interval_secs=*/30));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(200)).empty());
  WriteFile(dir / "b.jsonl", "{\"f\":\"b\"}\n");
  EXPECT_EQ(PollFor(*s, 1), (Values{R"({"f":"b"})"}));
  // Written under a hidden name, then renamed into view (how careful writers publish).
  WriteFile(dir / ".a.jsonl.part", "{\"f\":\"a\"}\n");
  std::filesystem::rename(dir / ".a.jsonl.part", dir / "a.jsonl");
  EXPECT_EQ(PollFor(*s, 1), (Values{R"({"f":"a"})"}));
  WriteFile(dir / ".c.jsonl", "{\"f\":\"hidden\"}\n");
  EXPECT_TRUE(PollQuietly(*s, milliseconds(300)).empty());
}

TEST(FileSourceWatchTest, PollWakesOnNewDataLongBeforeThePollInterval) {
  TempDir dir;
  const std::string path = dir / "w.jsonl";
  WriteFile(path, "");
  auto s = OpenSource(WatchConfig(path, /*poll_interval_secs=*/60));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(100)).empty());
  auto writer = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(milliseconds(200));
    AppendFile(path, "{\"n\":1}\n");
  });
  const auto start = std::chrono::steady_clock::now();
  auto batch = s->Poll(100, milliseconds(10000), {});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  writer.get();
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->records.size(), 1u);
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST(FileSourceWatchTest, StopWakesAWaitingPollPromptly) {
  TempDir dir;
  auto s = OpenSource(WatchConfig(dir.path(), 60));
  std::stop_source stop;
  auto poller = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    auto batch = s->Poll(100, milliseconds(30000), stop.get_token());
    EXPECT_TRUE(batch.ok());
    return std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(milliseconds(100));
  stop.request_stop();
  ASSERT_EQ(poller.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(poller.get(), milliseconds(1000));
}

TEST(FileSourceWatchTest, AnIdlePollUsesNoCpu) {
  TempDir dir;
  WriteFile(dir / "idle.jsonl", "{\"n\":1}\n");
  auto s = OpenSource(WatchConfig(dir.path(), 60));
  ASSERT_EQ(PollFor(*s, 1).size(), 1u);
  timespec before{}, after{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  const auto start = std::chrono::steady_clock::now();
  auto batch = s->Poll(100, milliseconds(1000), {});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->records.empty());
  EXPECT_GE(elapsed, milliseconds(900));  // it did wait
  const double cpu_ms =
      (after.tv_sec - before.tv_sec) * 1e3 + (after.tv_nsec - before.tv_nsec) / 1e6;
  EXPECT_LT(cpu_ms, 20.0);
}

TEST(FileSourceWatchTest, WatchingAPathThatAppearsLater) {
  TempDir dir;
  const std::string later = dir / "later";
  auto s = OpenSource(WatchConfig(later));
  EXPECT_TRUE(PollQuietly(*s, milliseconds(200)).empty());
  std::filesystem::create_directory(later);
  WriteFile(later + "/x.jsonl", "{\"x\":1}\n");
  EXPECT_EQ(PollFor(*s, 1, milliseconds(4000)), (Values{R"({"x":1})"}));
}

}  // namespace
}  // namespace rivven::file
