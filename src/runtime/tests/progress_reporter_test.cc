// Progress display: number formatting, the self-rewriting TTY bar and the periodic log lines,
// driven by a fake clock.
#include "runtime/progress_reporter.h"

#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/runner_status.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;

/// A FILE* writing into memory.
class MemoryFile {
 public:
  MemoryFile() : file_(open_memstream(&buf_, &size_)) {}
  ~MemoryFile() {
    std::fclose(file_);
    std::free(buf_);
  }
  std::FILE* get() { return file_; }
  /// Everything written since the last Take.
  std::string Take() {
    std::fflush(file_);
    std::string all(buf_, size_);
    std::string fresh = all.substr(taken_);
    taken_ = all.size();
    return fresh;
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  size_t taken_ = 0;
  std::FILE* file_;
};

class ProgressReporterTest : public ::testing::Test {
 protected:
  ProgressReporterOptions Options(bool tty) {
    ProgressReporterOptions o;
    o.tty = tty;
    o.out = out_.get();
    o.columns = 0;
    o.now = [this] { return now_; };
    o.log = [this](const std::string& line) { logged_.push_back(line); };
    return o;
  }
  std::unique_ptr<ProgressReporter> Reporter(bool tty) {
    return std::make_unique<ProgressReporter>([this] { return statuses_; }, Options(tty));
  }
  void Bounded(RunnerStatus& s, uint64_t total, const std::string& unit = "records") {
    s.SetPhase(RunnerPhase::kRunning);
    s.progress_total = total;
    s.SetProgressUnit(unit);
  }

  SteadyClock::time_point now_{};
  MemoryFile out_;
  std::vector<std::string> logged_;
  Notifier notifier_;
  RunnerStatus gen_{notifier_, RunnerKind::kSource, "gen", "datagen"};
  RunnerStatus snapshot_{notifier_, RunnerKind::kSource, "snapshot", "file"};
  RunnerStatus sink_{notifier_, RunnerKind::kSink, "out", "file"};
  std::vector<RunnerStatus*> statuses_{&gen_, &sink_};
};

TEST(ProgressFormatTest, Quantities) {
  EXPECT_EQ(FormatQuantity(0, "records"), "0");
  EXPECT_EQ(FormatQuantity(999, "rows"), "999");
  EXPECT_EQ(FormatQuantity(9999, "rows"), "9,999");
  EXPECT_EQ(FormatQuantity(10000, "rows"), "10.0k");
  EXPECT_EQ(FormatQuantity(12345, "rows"), "12.3k");
  EXPECT_EQ(FormatQuantity(999499, "rows"), "999k");
  EXPECT_EQ(FormatQuantity(999500, "rows"), "1.00M");
  EXPECT_EQ(FormatQuantity(1234567, "rows"), "1.23M");
  EXPECT_EQ(FormatQuantity(5'000'000'000, "rows"), "5.00G");
  EXPECT_EQ(FormatQuantity(512, "bytes"), "512 B");
  EXPECT_EQ(FormatQuantity(1536, "bytes"), "1.50 KiB");
  EXPECT_EQ(FormatQuantity(12'900'000, "bytes"), "12.3 MiB");
  EXPECT_EQ(FormatQuantity(3ULL << 30, "bytes"), "3.00 GiB");
}

TEST(ProgressFormatTest, Rates) {
  EXPECT_EQ(FormatRate(0, "records"), "0.0 records/s");
  EXPECT_EQ(FormatRate(2.54, "rows"), "2.5 rows/s");
  EXPECT_EQ(FormatRate(476.4, "records"), "476 records/s");
  EXPECT_EQ(FormatRate(12345, "records"), "12.3k records/s");
  EXPECT_EQ(FormatRate(1.5 * 1024 * 1024, "bytes"), "1.50 MiB/s");
}

TEST(ProgressFormatTest, Durations) {
  EXPECT_EQ(FormatDuration(0s), "0.0s");
  EXPECT_EQ(FormatDuration(4200ms), "4.2s");
  EXPECT_EQ(FormatDuration(42s), "42s");
  EXPECT_EQ(FormatDuration(59600ms), "1m00s");
  EXPECT_EQ(FormatDuration(245s), "4m05s");
  EXPECT_EQ(FormatDuration(3720s), "1h02m");
  EXPECT_EQ(FormatDuration(std::chrono::hours(76)), "3d04h");
}

TEST_F(ProgressReporterTest, TtyBarRewritesOneLineAndEndsWithNewline) {
  Bounded(gen_, 1000);
  auto r = Reporter(true);
  r->Tick();
  EXPECT_EQ(out_.Take(), "\rgen [--------------------]   0.0%  0/1,000 records  --  ETA --\x1b[K");
  now_ += 1s;
  gen_.progress_done = 250;
  r->Tick();
  EXPECT_EQ(out_.Take(),
            "\rgen [#####---------------]  25.0%  250/1,000 records  250 records/s  ETA 3.0s"
            "\x1b[K");
  now_ += 1s;
  gen_.progress_done = 1000;
  r->Tick();
  EXPECT_EQ(out_.Take(),
            "\rgen [####################] 100.0%  1,000/1,000 records  500 records/s  done in "
            "2.0s\x1b[K\n");
  now_ += 1s;
  r->Tick();
  r->Finish();
  EXPECT_EQ(out_.Take(), "");
  EXPECT_TRUE(logged_.empty());
}

TEST_F(ProgressReporterTest, TtyShowsOneLinePerSourceAndRedrawsTheBlock) {
  statuses_ = {&gen_, &snapshot_, &sink_};
  Bounded(gen_, 1000);
  Bounded(snapshot_, 2ULL << 30, "bytes");
  auto r = Reporter(true);
  r->Tick();
  EXPECT_EQ(out_.Take(),
            "\rgen      [--------------------]   0.0%  0/1,000 records  --  ETA --\x1b[K\n"
            "\rsnapshot [--------------------]   0.0%  0 B/2.00 GiB  --  ETA --\x1b[K");
  now_ += 2s;
  gen_.progress_done = 1000;
  snapshot_.progress_done = 1ULL << 30;
  r->Tick();
  EXPECT_EQ(out_.Take(),
            "\x1b[1A"
            "\rgen      [####################] 100.0%  1,000/1,000 records  500 records/s  done "
            "in 2.0s\x1b[K\n"
            "\rsnapshot [##########----------]  50.0%  1.00 GiB/2.00 GiB  512 MiB/s  ETA 2.0s"
            "\x1b[K");
  snapshot_.SetPhase(RunnerPhase::kStopped);  // SIGTERM before the end
  r->Finish();
  EXPECT_EQ(out_.Take(),
            "\x1b[1A"
            "\rgen      [####################] 100.0%  1,000/1,000 records  500 records/s  done "
            "in 2.0s\x1b[K\n"
            "\rsnapshot [##########----------]  50.0%  1.00 GiB/2.00 GiB  512 MiB/s  stopped "
            "after 2.0s\x1b[K\n");
}

TEST_F(ProgressReporterTest, TtyLinesAreCutToTheTerminalWidth) {
  Bounded(gen_, 1000);
  auto o = Options(true);
  o.columns = 12;
  ProgressReporter r([this] { return statuses_; }, o);
  r.Tick();
  EXPECT_EQ(out_.Take(), "\rgen [-------\x1b[K");
}

TEST_F(ProgressReporterTest, LogLinesEveryIntervalAndOnCompletion) {
  Bounded(gen_, 1000);
  auto r = Reporter(false);
  for (int i = 0; i <= 25; ++i) {
    gen_.progress_done = 40 * i;
    r->Tick();
    now_ += 1s;
  }
  r->Finish();
  EXPECT_EQ(logged_, (std::vector<std::string>{
                         "gen: 40.0% (400/1,000 records), 40 records/s, ETA 15s",
                         "gen: 80.0% (800/1,000 records), 40 records/s, ETA 5.0s",
                         "gen: done, 1,000 records in 25s (40 records/s)",
                     }));
  EXPECT_EQ(out_.Take(), "");
}

TEST_F(ProgressReporterTest, LogLineWhenStoppedEarly) {
  Bounded(gen_, 1000);
  auto r = Reporter(false);
  r->Tick();
  now_ += 5s;
  gen_.progress_done = 300;
  gen_.SetPhase(RunnerPhase::kStopped);
  r->Finish();
  EXPECT_EQ(logged_, (std::vector<std::string>{
                         "gen: stopped at 30.0% (300/1,000 records) after 5.0s (60 records/s)",
                     }));
}

TEST_F(ProgressReporterTest, RateUsesTheRecentWindow) {
  Bounded(gen_, 1'000'000);
  auto o = Options(false);
  o.log_interval = 30s;
  ProgressReporter r([this] { return statuses_; }, o);
  // Slow for 20 s, then fast: the rate reflects the last 10 s only.
  for (int i = 0; i <= 30; ++i) {
    gen_.progress_done = i <= 20 ? 10 * i : 200 + 1000 * (i - 20);
    r.Tick();
    if (i < 30) now_ += 1s;
  }
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_EQ(logged_[0], "gen: 1.0% (10.2k/1.00M records), 1000 records/s, ETA 16m30s");
}

TEST_F(ProgressReporterTest, NothingWithoutBoundedWork) {
  gen_.SetPhase(RunnerPhase::kRunning);
  gen_.progress_done = 500;   // no total: unbounded
  sink_.progress_total = 10;  // sinks never show progress
  for (bool tty : {true, false}) {
    auto r = Reporter(tty);
    for (int i = 0; i < 30; ++i) {
      r->Tick();
      now_ += 1s;
    }
    r->Finish();
  }
  EXPECT_EQ(out_.Take(), "");
  EXPECT_TRUE(logged_.empty());
}

TEST_F(ProgressReporterTest, SourceThatStartsReportingLaterIsPickedUp) {
  statuses_.clear();  // runners not started yet
  auto r = Reporter(false);
  r->Tick();
  statuses_ = {&gen_, &sink_};
  r->Tick();  // started, but no progress yet
  Bounded(gen_, 100);
  now_ += 1s;
  r->Tick();
  now_ += 1s;
  gen_.progress_done = 100;
  gen_.SetPhase(RunnerPhase::kFinished);
  r->Tick();
  EXPECT_EQ(logged_, (std::vector<std::string>{"gen: done, 100 records in 1.0s (100 records/s)"}));
}

TEST_F(ProgressReporterTest, ThreadDrawsUntilStopped) {
  Bounded(gen_, 1000);
  auto o = Options(true);
  o.now = [] { return SteadyClock::now(); };
  o.tick_interval = 5ms;
  ProgressReporter r([this] { return statuses_; }, o);
  r.Start();
  std::this_thread::sleep_for(100ms);
  gen_.progress_done = 400;
  gen_.SetPhase(RunnerPhase::kStopped);
  r.Stop();
  r.Stop();
  const std::string text = out_.Take();
  EXPECT_NE(text.find("  0.0%"), std::string::npos) << text;
  EXPECT_NE(text.find(" 40.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("stopped after"), std::string::npos) << text;
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);  // one line, rewritten in place
}

}  // namespace
}  // namespace rivven
