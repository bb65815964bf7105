#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"

namespace rivven {

class RunnerStatus;

struct ProgressReporterOptions {
  /// True: one self-rewriting line per source on `out` (a progress bar), redrawn every
  /// `tick_interval`. False: a log line per source every `log_interval` and one when it ends.
  bool tty = false;
  std::FILE* out = stderr;
  /// Lines on a TTY are cut to this width so they never wrap: -1 asks the terminal of `out` at
  /// each redraw, 0 means no limit.
  int columns = -1;
  std::chrono::milliseconds tick_interval{250};  ///< how often the statuses are sampled
  std::chrono::milliseconds log_interval{10000};
  /// Rates are averaged over this much recent history.
  std::chrono::milliseconds rate_window{10000};
  std::function<SteadyClock::time_point()> now = [] { return SteadyClock::now(); };
  /// Receives each non-TTY line; by default log::Info under the "progress" component.
  std::function<void(const std::string&)> log;

  /// For the run command: a bar when stderr is a terminal and logs are text, log lines otherwise.
  static ProgressReporterOptions ForStderr(bool json_logs);
};

/// Shows how far each source with bounded work (RunnerStatus::progress_total > 0: a snapshot,
/// a set of files, max_events) has got: done / total in the source's unit, rate and ETA. Shows
/// nothing while no source reports progress. A source is complete once its runner is done or
/// its done count reaches its total.
///
/// Owned by the run command. Start/Stop from one thread; the reporter's own thread reads the
/// statuses (which must outlive Stop) and is the only one writing to `out` — log lines that
/// other threads write to the same terminal while a bar is drawn land between redraws.
class ProgressReporter {
 public:
  /// Returns the runners' statuses; empty while the pipeline has not started them.
  using StatusProvider = std::function<std::vector<RunnerStatus*>()>;

  ProgressReporter(StatusProvider statuses, ProgressReporterOptions options);
  ~ProgressReporter();  ///< Stop()s
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Starts the thread that calls Tick every `tick_interval`.
  void Start();
  /// Joins the thread, then Finish()es if Start was called. Idempotent.
  void Stop();
  /// One step at options.now(): samples every source's progress, redraws the bar or writes the
  /// log lines that are due. Called by the thread; tests call it directly without Start.
  void Tick();
  /// A last Tick, then the final state of every source not reported complete yet (a log line
  /// each, or the end of the drawn bar with a newline).
  void Finish();

 private:
  struct Track;
  void Loop(std::stop_token stop);
  std::string Line(const Track& t, size_t name_width) const;
  void Draw(std::vector<Track*>& block);
  void Log(Track& t, bool final);

  StatusProvider statuses_;
  ProgressReporterOptions options_;
  std::vector<std::unique_ptr<Track>> tracks_;
  size_t lines_drawn_ = 0;  ///< lines of the current bar block on the terminal
  bool started_ = false;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;
};

/// "950", "9,999", "12.3k", "1.23M" — or, for unit "bytes", "512 B", "1.50 KiB", "12.3 MiB".
std::string FormatQuantity(uint64_t n, std::string_view unit);
/// "12.3k records/s", "2.5 records/s", "1.50 MiB/s".
std::string FormatRate(double per_second, std::string_view unit);
/// "4.2s" (under 10 s), "42s", "4m05s", "1h02m", "3d04h".
std::string FormatDuration(std::chrono::duration<double> d);

}  // namespace rivven
