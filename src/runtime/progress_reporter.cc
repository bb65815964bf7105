#include "runtime/progress_reporter.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <utility>

#include <fmt/core.h>

#include "base/log.h"
#include "runtime/runner_status.h"

namespace rivven {
namespace {

constexpr size_t kBarWidth = 20;

std::string WithSeparators(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

/// Three significant digits: "9.99", "12.3", "123".
std::string ThreeDigits(double v) {
  if (v < 9.995) return fmt::format("{:.2f}", v);
  if (v < 99.95) return fmt::format("{:.1f}", v);
  return fmt::format("{:.0f}", v);
}

/// `v` (>= 1000) with an SI suffix: "12.3k", "1.23M".
std::string Si(double v) {
  static constexpr const char* kSuffixes[] = {"k", "M", "G", "T", "P", "E"};
  size_t i = 0;
  v /= 1000;
  while (v >= 999.5 && i + 1 < std::size(kSuffixes)) {
    v /= 1000;
    ++i;
  }
  return ThreeDigits(v) + kSuffixes[i];
}

/// `v` bytes in IEC units: "512 B", "1.50 KiB".
std::string Iec(double v) {
  static constexpr const char* kSuffixes[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (v < 1023.5) return fmt::format("{:.0f} B", v);
  size_t i = 0;
  v /= 1024;
  while (v >= 1023.5 && i + 1 < std::size(kSuffixes)) {
    v /= 1024;
    ++i;
  }
  return ThreeDigits(v) + " " + kSuffixes[i];
}

bool IsBytes(std::string_view unit) { return unit == "bytes"; }

/// `line` cut to `columns` bytes without splitting a UTF-8 sequence.
std::string Truncate(std::string line, size_t columns) {
  if (columns == 0 || line.size() <= columns) return line;
  size_t cut = columns;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  return line;
}

size_t TerminalColumns(std::FILE* out, int configured) {
  if (configured >= 0) return static_cast<size_t>(configured);
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1;
  return 0;
}

}  // namespace

std::string FormatQuantity(uint64_t n, std::string_view unit) {
  if (IsBytes(unit)) return Iec(static_cast<double>(n));
  if (n < 10000) return WithSeparators(n);
  return Si(static_cast<double>(n));
}

std::string FormatRate(double per_second, std::string_view unit) {
  per_second = std::max(per_second, 0.0);
  if (IsBytes(unit)) return Iec(per_second) + "/s";
  std::string n;
  if (per_second < 9.95)
    n = fmt::format("{:.1f}", per_second);
  else if (per_second < 9999.5)
    n = fmt::format("{:.0f}", per_second);
  else
    n = Si(per_second);
  return fmt::format("{} {}/s", n, unit);
}

std::string FormatDuration(std::chrono::duration<double> d) {
  const double seconds = std::max(d.count(), 0.0);
  if (seconds < 9.95) return fmt::format("{:.1f}s", seconds);
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  const int64_t m = (s + 30) / 60;
  if (m < 24 * 60) return fmt::format("{}h{:02}m", m / 60, m % 60);
  const int64_t h = (m + 30) / 60;
  return fmt::format("{}d{:02}h", h / 24, h % 24);
}

ProgressReporterOptions ProgressReporterOptions::ForStderr(bool json_logs) {
  ProgressReporterOptions o;
  o.out = stderr;
  o.tty = !json_logs && isatty(fileno(stderr)) == 1;
  return o;
}

/// What the reporter knows about one source with bounded work.
struct ProgressReporter::Track {
  const RunnerStatus* status = nullptr;
  SteadyClock::time_point first_seen;
  uint64_t first_done = 0;
  std::deque<std::pair<SteadyClock::time_point, uint64_t>> samples;  ///< within rate_window
  // As of the last Tick:
  SteadyClock::time_point now;
  uint64_t done = 0;
  uint64_t total = 0;
  std::string unit;
  RunnerPhase phase = RunnerPhase::kStarting;
  bool complete = false;
  bool closed = false;  ///< its final state has been reported
  SteadyClock::time_point last_logged;

  /// Units per second over the samples, or -1 when unknown yet.
  double WindowRate() const {
    if (samples.size() < 2) return -1;
    const std::chrono::duration<double> dt = samples.back().first - samples.front().first;
    if (dt.count() <= 0) return -1;
    return static_cast<double>(samples.back().second - samples.front().second) / dt.count();
  }
  /// Units per second since the reporter first saw it, or -1 when no time has passed.
  double AverageRate() const {
    const std::chrono::duration<double> dt = now - first_seen;
    if (dt.count() <= 0 || done < first_done) return -1;
    return static_cast<double>(done - first_done) / dt.count();
  }
  double Percent() const {
    return std::min(100.0, 100.0 * static_cast<double>(done) / static_cast<double>(total));
  }
  std::string Amounts() const {
    if (IsBytes(unit)) return FormatQuantity(done, unit) + "/" + FormatQuantity(total, unit);
    return FormatQuantity(done, unit) + "/" + FormatQuantity(total, unit) + " " + unit;
  }
  std::string Eta() const {
    const double rate = WindowRate();
    if (rate <= 0) return "ETA --";
    return "ETA " + FormatDuration(std::chrono::duration<double>(
                        static_cast<double>(total - std::min(done, total)) / rate));
  }
  /// "done in 2.1s", "stopped after 2.1s", "failed after 2.1s".
  std::string Ending() const {
    const std::string elapsed = FormatDuration(now - first_seen);
    if (phase == RunnerPhase::kFailed) return "failed after " + elapsed;
    if (phase == RunnerPhase::kStopped && done < total) return "stopped after " + elapsed;
    return "done in " + elapsed;
  }
};

ProgressReporter::ProgressReporter(StatusProvider statuses, ProgressReporterOptions options)
    : statuses_(std::move(statuses)), options_(std::move(options)) {
  if (!options_.log) {
    options_.log = [](const std::string& line) { log::Info("progress", "{}", line); };
  }
}

ProgressReporter::~ProgressReporter() { Stop(); }

void ProgressReporter::Start() {
  started_ = true;
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void ProgressReporter::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
  if (!started_) return;
  started_ = false;
  Finish();
}

void ProgressReporter::Loop(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    Tick();
    // Fast enough that a source's bounded work is first seen within a fraction of a second of
    // its start (its elapsed time and rate count from there); four wakeups a second cost nothing.
    cv_.wait_for(lock, stop, options_.tick_interval, [] { return false; });
  }
}

void ProgressReporter::Tick() {
  const SteadyClock::time_point now = options_.now();
  for (RunnerStatus* s : statuses_()) {
    if (s->kind != RunnerKind::kSource || s->progress_total.load() == 0) continue;
    const bool known =
        std::any_of(tracks_.begin(), tracks_.end(), [s](const auto& t) { return t->status == s; });
    if (known) continue;
    auto t = std::make_unique<Track>();
    t->status = s;
    t->first_seen = now;
    t->first_done = s->progress_done.load();
    t->last_logged = now;
    tracks_.push_back(std::move(t));
  }
  for (auto& t : tracks_) {
    if (t->closed) continue;
    t->now = now;
    t->phase = t->status->phase();
    t->done = t->status->progress_done.load();
    t->total = std::max<uint64_t>(t->status->progress_total.load(), 1);
    t->unit = t->status->progress_unit();
    // A restarted source may count again from an earlier point: its old samples say nothing.
    if (!t->samples.empty() && t->done < t->samples.back().second) t->samples.clear();
    t->samples.emplace_back(now, t->done);
    while (t->samples.size() > 2 && now - t->samples[1].first >= options_.rate_window) {
      t->samples.pop_front();
    }
    t->complete = t->status->done() || t->done >= t->total;
  }

  if (options_.tty) {
    std::vector<Track*> block;
    for (auto& t : tracks_) {
      if (!t->closed) block.push_back(t.get());
    }
    if (!block.empty()) Draw(block);
    return;
  }
  for (auto& t : tracks_) {
    if (t->closed) continue;
    if (t->complete) {
      Log(*t, true);
    } else if (now - t->last_logged >= options_.log_interval) {
      Log(*t, false);
      t->last_logged = now;
    }
  }
}

void ProgressReporter::Finish() {
  Tick();
  if (options_.tty) {
    if (lines_drawn_ > 0) {
      std::fputs("\n", options_.out);
      std::fflush(options_.out);
      lines_drawn_ = 0;
    }
    for (auto& t : tracks_) t->closed = true;
    return;
  }
  for (auto& t : tracks_) {
    if (!t->closed) Log(*t, true);
  }
}

std::string ProgressReporter::Line(const Track& t, size_t name_width) const {
  const double percent = t.Percent();
  const auto filled =
      std::min(kBarWidth, static_cast<size_t>(percent / 100.0 * static_cast<double>(kBarWidth)));
  std::string bar(filled, '#');
  bar.append(kBarWidth - filled, '-');
  const double rate = t.complete ? t.AverageRate() : t.WindowRate();
  return fmt::format("{:<{}} [{}] {:5.1f}%  {}  {}  {}", t.status->name, name_width, bar, percent,
                     t.Amounts(), rate < 0 ? "--" : FormatRate(rate, t.unit),
                     t.complete ? t.Ending() : t.Eta());
}

void ProgressReporter::Draw(std::vector<Track*>& block) {
  size_t name_width = 0;
  for (const Track* t : block) name_width = std::max(name_width, t->status->name.size());
  const size_t columns = TerminalColumns(options_.out, options_.columns);
  std::string out;
  // Back to the first line of the block; the cursor rests at the end of its last line.
  if (lines_drawn_ > 1) out += fmt::format("\x1b[{}A", lines_drawn_ - 1);
  for (size_t i = 0; i < block.size(); ++i) {
    out += '\r';
    out += Truncate(Line(*block[i], name_width), columns);
    out += "\x1b[K";
    if (i + 1 < block.size()) out += '\n';
  }
  lines_drawn_ = block.size();
  const bool all_complete =
      std::all_of(block.begin(), block.end(), [](const Track* t) { return t->complete; });
  if (all_complete) {
    out += '\n';
    lines_drawn_ = 0;
    for (Track* t : block) t->closed = true;
  }
  std::fwrite(out.data(), 1, out.size(), options_.out);
  std::fflush(options_.out);
}

void ProgressReporter::Log(Track& t, bool final) {
  const std::string& name = t.status->name;
  if (!final) {
    const double rate = t.WindowRate();
    options_.log(fmt::format("{}: {:.1f}% ({}), {}, {}", name, t.Percent(), t.Amounts(),
                             rate < 0 ? "rate --" : FormatRate(rate, t.unit), t.Eta()));
    return;
  }
  t.closed = true;
  const double rate = t.AverageRate();
  const std::string rate_text = rate < 0 ? "" : " (" + FormatRate(rate, t.unit) + ")";
  if (t.phase == RunnerPhase::kFailed || (t.phase == RunnerPhase::kStopped && t.done < t.total) ||
      !t.complete) {
    const std::string what = t.phase == RunnerPhase::kFailed ? "failed" : "stopped";
    options_.log(fmt::format("{}: {} at {:.1f}% ({}) after {}{}", name, what, t.Percent(),
                             t.Amounts(), FormatDuration(t.now - t.first_seen), rate_text));
    return;
  }
  const std::string amount = IsBytes(t.unit) ? FormatQuantity(t.done, t.unit)
                                             : FormatQuantity(t.done, t.unit) + " " + t.unit;
  options_.log(fmt::format("{}: done, {} in {}{}", name, amount,
                           FormatDuration(t.now - t.first_seen), rate_text));
}

}  // namespace rivven
