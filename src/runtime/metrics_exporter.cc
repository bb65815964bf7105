#include "runtime/metrics_exporter.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/core.h>

#include "base/version.h"
#include "runtime/runner_status.h"

namespace rivven {
namespace {

const char* KindName(RunnerKind kind) { return kind == RunnerKind::kSource ? "source" : "sink"; }

/// Collects one family's samples; writes `# HELP` / `# TYPE` and the samples only when there is
/// at least one, so every family in the output is a complete group.
class FamilyWriter {
 public:
  FamilyWriter(std::string& out, std::string_view name, std::string_view type,
               std::string_view help)
      : out_(out), name_(name), type_(type), help_(help) {}
  FamilyWriter(const FamilyWriter&) = delete;
  FamilyWriter& operator=(const FamilyWriter&) = delete;
  ~FamilyWriter() {
    if (samples_.empty()) return;
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
    out_ += samples_;
  }

  /// `labels` is the already escaped `a="x",b="y"` list (may be empty).
  void Add(std::string_view labels, const std::string& value) { AddSuffixed("", labels, value); }
  void AddSuffixed(std::string_view suffix, std::string_view labels, const std::string& value) {
    samples_ += name_;
    samples_ += suffix;
    if (!labels.empty()) {
      samples_ += '{';
      samples_ += labels;
      samples_ += '}';
    }
    samples_ += ' ';
    samples_ += value;
    samples_ += '\n';
  }

 private:
  std::string& out_;
  std::string_view name_, type_, help_;
  std::string samples_;
};

std::string Label(std::string_view name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, EscapeLabelValue(value));
}

/// `connector="<name>",type="<connector type>",kind="source|sink"`.
std::string ConnectorLabels(const RunnerStatus& s) {
  return Label("connector", s.name) + "," + Label("type", s.connector) + "," +
         Label("kind", KindName(s.kind));
}

/// One uint64 counter per status, e.g. records_total.
template <typename Get>
void CounterFamily(std::string& out, const std::vector<RunnerStatus*>& statuses,
                   const std::vector<std::string>& labels, std::string_view name,
                   std::string_view help, Get get) {
  FamilyWriter f(out, name, "counter", help);
  for (size_t i = 0; i < statuses.size(); ++i) f.Add(labels[i], std::to_string(get(*statuses[i])));
}

void LatencyFamily(std::string& out, const std::vector<RunnerStatus*>& statuses,
                   const std::vector<std::string>& labels) {
  FamilyWriter f(out, "rivven_connector_batch_latency_seconds", "histogram",
                 "Latency of a batch: sources from poll to durable in the broker, sinks write + "
                 "flush + commit.");
  constexpr size_t kBuckets = LatencyHistogram::kBounds.size() + 1;
  for (size_t i = 0; i < statuses.size(); ++i) {
    const LatencyHistogram& h = statuses[i]->batch_latency;
    std::array<uint64_t, kBuckets> counts{};
    for (size_t b = 0; b < kBuckets; ++b) counts[b] = h.bucket(b);
    const double sum = h.sum_seconds();
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      cumulative += counts[b];
      const std::string le = b < LatencyHistogram::kBounds.size()
                                 ? FormatSampleValue(LatencyHistogram::kBounds[b])
                                 : "+Inf";
      f.AddSuffixed("_bucket", labels[i] + "," + Label("le", le), std::to_string(cumulative));
    }
    f.AddSuffixed("_sum", labels[i], FormatSampleValue(sum));
    f.AddSuffixed("_count", labels[i], std::to_string(cumulative));
  }
}

void SourceFamilies(std::string& out, const std::vector<RunnerStatus*>& statuses) {
  {
    FamilyWriter f(out, "rivven_source_position_info", "gauge",
                   "Always 1; the position label is the source's last reported position "
                   "(connector-specific text).");
    for (const RunnerStatus* s : statuses) {
      if (s->kind != RunnerKind::kSource) continue;
      const std::string position = s->position();
      if (position.empty()) continue;
      f.Add(Label("connector", s->name) + "," + Label("type", s->connector) + "," +
                Label("position", position),
            "1");
    }
  }
  // Only sources with bounded work (a snapshot, a file set, max_events) report progress.
  std::vector<const RunnerStatus*> bounded;
  std::vector<std::string> labels;
  for (const RunnerStatus* s : statuses) {
    if (s->kind != RunnerKind::kSource || s->progress_total.load() == 0) continue;
    bounded.push_back(s);
    labels.push_back(Label("connector", s->name) + "," + Label("type", s->connector) + "," +
                     Label("unit", s->progress_unit()));
  }
  {
    FamilyWriter f(out, "rivven_source_progress_done", "gauge",
                   "Bounded work done so far, in the unit label's units.");
    for (size_t i = 0; i < bounded.size(); ++i) {
      f.Add(labels[i], std::to_string(bounded[i]->progress_done.load()));
    }
  }
  {
    FamilyWriter f(
        out, "rivven_source_progress_expected", "gauge",
        "Bounded work expected in all (possibly an estimate), in the unit label's units.");
    for (size_t i = 0; i < bounded.size(); ++i) {
      f.Add(labels[i], std::to_string(bounded[i]->progress_total.load()));
    }
  }
}

/// A `# HELP` text escaped for the text format: `\` -> `\\`, newline -> `\n`.
std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

/// One `rivven_<name>` gauge family per distinct SourceGauge name, families sorted by name,
/// samples in the order of `statuses`; HELP from the first status reporting the name.
void ConnectorGaugeFamilies(std::string& out, const std::vector<RunnerStatus*>& statuses,
                            const std::vector<std::string>& labels) {
  struct Family {
    std::string help;
    std::vector<std::pair<size_t, double>> values;  // (index into statuses, value)
  };
  std::map<std::string, Family> families;
  for (size_t i = 0; i < statuses.size(); ++i) {
    for (const SourceGauge& g : statuses[i]->Gauges()) {
      Family& f = families[g.name];
      if (f.values.empty()) {
        f.help = g.help.empty() ? "Reported by the connector." : EscapeHelp(g.help);
      }
      f.values.emplace_back(i, g.value);
    }
  }
  for (const auto& [name, family] : families) {
    const std::string full_name = "rivven_" + name;
    FamilyWriter f(out, full_name, "gauge", family.help);
    for (const auto& [i, value] : family.values) f.Add(labels[i], FormatSampleValue(value));
  }
}

/// The connectors' own counters and histograms (ConnectorMetrics): one family per name, sorted
/// by name; samples carry the connector's labels plus the counter's own label.
void ConnectorMetricFamilies(std::string& out, const std::vector<RunnerStatus*>& statuses,
                             const std::vector<std::string>& labels) {
  struct Counters {
    std::string help;
    std::vector<std::pair<std::string, uint64_t>> samples;  // (labels, value)
  };
  std::map<std::string, Counters> counters;
  struct Histograms {
    std::string help;
    std::vector<std::pair<size_t, const LatencyHistogram*>> samples;
  };
  std::map<std::string, Histograms> histograms;
  for (size_t i = 0; i < statuses.size(); ++i) {
    for (const auto& c : statuses[i]->connector_metrics.Counters()) {
      Counters& f = counters[c.name];
      if (f.samples.empty()) f.help = EscapeHelp(c.help);
      f.samples.emplace_back(
          c.label_name.empty() ? labels[i] : labels[i] + "," + Label(c.label_name, c.label_value),
          c.value);
    }
    for (const auto& h : statuses[i]->connector_metrics.Histograms()) {
      Histograms& f = histograms[h.name];
      if (f.samples.empty()) f.help = EscapeHelp(h.help);
      f.samples.emplace_back(i, h.histogram);
    }
  }
  for (const auto& [name, family] : counters) {
    const std::string full = "rivven_" + name;  // FamilyWriter keeps a view of it
    FamilyWriter f(out, full, "counter", family.help);
    for (const auto& [l, v] : family.samples) f.Add(l, std::to_string(v));
  }
  for (const auto& [name, family] : histograms) {
    const std::string full = "rivven_" + name;
    FamilyWriter f(out, full, "histogram", family.help);
    constexpr size_t kBuckets = LatencyHistogram::kBounds.size() + 1;
    for (const auto& [i, h] : family.samples) {
      uint64_t cumulative = 0;
      for (size_t b = 0; b < kBuckets; ++b) {
        cumulative += h->bucket(b);
        const std::string le = b < LatencyHistogram::kBounds.size()
                                   ? FormatSampleValue(LatencyHistogram::kBounds[b])
                                   : "+Inf";
        f.AddSuffixed("_bucket", labels[i] + "," + Label("le", le), std::to_string(cumulative));
      }
      f.AddSuffixed("_sum", labels[i], FormatSampleValue(h->sum_seconds()));
      f.AddSuffixed("_count", labels[i], std::to_string(cumulative));
    }
  }
}

void ProcessFamilies(std::string& out, const ProcessMetrics& p) {
  if (!p.available) return;
  FamilyWriter(out, "process_cpu_seconds_total", "counter",
               "Total user and system CPU time spent in seconds.")
      .Add("", FormatSampleValue(p.cpu_seconds));
  FamilyWriter(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
      .Add("", std::to_string(p.resident_memory_bytes));
  FamilyWriter(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.")
      .Add("", std::to_string(p.virtual_memory_bytes));
  FamilyWriter(out, "process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.")
      .Add("", FormatSampleValue(p.start_time_seconds));
  FamilyWriter(out, "process_open_fds", "gauge", "Number of open file descriptors.")
      .Add("", std::to_string(p.open_fds));
  FamilyWriter(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.")
      .Add("", std::to_string(p.max_fds));
  FamilyWriter(out, "process_threads", "gauge", "Number of OS threads in the process.")
      .Add("", std::to_string(p.threads));
}

bool ReadWholeFile(const char* path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

ProcessMetrics ReadProcessMetrics() {
  ProcessMetrics m;
  std::string stat;
  if (!ReadWholeFile("/proc/self/stat", &stat)) return m;
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return m;
  std::istringstream fields(stat.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string tok; fields >> tok;) f.push_back(tok);
  if (f.size() < 22) return m;
  const auto field = [&f](int n) { return std::strtoull(f[n - 3].c_str(), nullptr, 10); };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const long page = sysconf(_SC_PAGESIZE);
  m.cpu_seconds = static_cast<double>(field(14) + field(15)) / ticks;
  m.threads = field(20);
  m.virtual_memory_bytes = field(23);
  m.resident_memory_bytes = field(24) * static_cast<uint64_t>(page);

  std::string proc_stat;
  if (ReadWholeFile("/proc/stat", &proc_stat)) {
    const size_t at = proc_stat.find("\nbtime ");
    if (at != std::string::npos) {
      const double boot = std::strtod(proc_stat.c_str() + at + 7, nullptr);
      m.start_time_seconds = boot + static_cast<double>(field(22)) / ticks;
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    uint64_t n = 0;
    while (const dirent* e = readdir(dir)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(dir);
    m.open_fds = n > 0 ? n - 1 : 0;  // not counting the descriptor that listed them
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) m.max_fds = limit.rlim_cur;
  m.available = true;
  return m;
}

std::string RenderPrometheus(const std::vector<RunnerStatus*>& statuses) {
  return RenderPrometheus(statuses, ReadProcessMetrics());
}

std::string RenderPrometheus(const std::vector<RunnerStatus*>& statuses,
                             const ProcessMetrics& process) {
  std::string out;
  FamilyWriter(out, "rivven_build_info", "gauge",
               "Always 1; the version label is the rivven-connect version.")
      .Add(Label("version", kVersion), "1");

  std::vector<std::string> labels;
  labels.reserve(statuses.size());
  for (const RunnerStatus* s : statuses) labels.push_back(ConnectorLabels(*s));
  {
    FamilyWriter f(out, "rivven_connector_info", "gauge",
                   "Always 1; the phase label is the connector's phase (starting, running, "
                   "finished, stopped, failed).");
    for (size_t i = 0; i < statuses.size(); ++i) {
      f.Add(labels[i] + "," + Label("phase", RunnerPhaseName(statuses[i]->phase())), "1");
    }
  }
  {
    FamilyWriter f(out, "rivven_connector_up", "gauge",
                   "1 while the connector is healthy, 0 while it is failing (restarting after "
                   "an error, or failed for good).");
    for (size_t i = 0; i < statuses.size(); ++i)
      f.Add(labels[i], statuses[i]->healthy() ? "1" : "0");
  }
  CounterFamily(out, statuses, labels, "rivven_connector_records_total",
                "Records produced durably (sources) or written and committed (sinks).",
                [](const RunnerStatus& s) { return s.records.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_bytes_total",
                "Bytes of the records counted in rivven_connector_records_total.",
                [](const RunnerStatus& s) { return s.bytes.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_errors_total",
                "Failed operations: each cause of a restart and each rejected record.",
                [](const RunnerStatus& s) { return s.errors.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_retries_total", "Operations retried.",
                [](const RunnerStatus& s) { return s.retries.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_restarts_total",
                "Restarts of the connector after a failure.",
                [](const RunnerStatus& s) { return s.restarts.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_skipped_total",
                "Records dropped by on_error: skip.",
                [](const RunnerStatus& s) { return s.skipped.load(); });
  CounterFamily(out, statuses, labels, "rivven_connector_dead_letter_total",
                "Records written to the dead letter topic by on_error: dlq.",
                [](const RunnerStatus& s) { return s.dead_lettered.load(); });
  {
    FamilyWriter f(out, "rivven_connector_throttled_seconds_total", "counter",
                   "Time spent waiting on rate_limit.");
    for (size_t i = 0; i < statuses.size(); ++i) {
      f.Add(labels[i],
            FormatSampleValue(static_cast<double>(statuses[i]->throttled_ns.load()) / 1e9));
    }
  }
  {
    FamilyWriter f(out, "rivven_connector_lag_records", "gauge",
                   "Records behind: for a sink, records in its topics not yet committed.");
    for (size_t i = 0; i < statuses.size(); ++i)
      f.Add(labels[i], std::to_string(statuses[i]->lag.load()));
  }
  LatencyFamily(out, statuses, labels);
  SourceFamilies(out, statuses);
  ConnectorGaugeFamilies(out, statuses, labels);
  ConnectorMetricFamilies(out, statuses, labels);
  ProcessFamilies(out, process);
  return out;
}

}  // namespace rivven
