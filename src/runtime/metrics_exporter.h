#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rivven {

class RunnerStatus;

/// This process's resource use, for the standard `process_*` families. Read from /proc/self;
/// `available` is false where /proc is not mounted (the families are then left out).
struct ProcessMetrics {
  bool available = false;
  double cpu_seconds = 0;  ///< user + system time
  uint64_t resident_memory_bytes = 0;
  uint64_t virtual_memory_bytes = 0;
  double start_time_seconds = 0;  ///< since the Unix epoch
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;  ///< the soft RLIMIT_NOFILE
  uint64_t threads = 0;
};

/// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and RLIMIT_NOFILE.
/// Thread-safe; a few system calls, cheap enough for every scrape.
ProcessMetrics ReadProcessMetrics();

/// Renders `statuses` (and this process's resource use) in the Prometheus text exposition
/// format 0.0.4: per family one `# HELP` and one `# TYPE` line followed by its samples, families
/// in a fixed order, samples in the order of `statuses`. A family without samples is left out.
/// Reads the statuses' atomics and locked fields, so it may run on any thread while the
/// runners write them; each histogram is rendered from one read of its buckets, so its `+Inf`
/// bucket always equals its `_count`.
std::string RenderPrometheus(const std::vector<RunnerStatus*>& statuses);
/// Same, with the process metrics given (deterministic output for tests).
std::string RenderPrometheus(const std::vector<RunnerStatus*>& statuses,
                             const ProcessMetrics& process);

/// A label value escaped for the text format: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
std::string EscapeLabelValue(std::string_view value);

/// A sample value or `le` bound as Prometheus prints it: shortest round-trip decimal,
/// `+Inf`, `-Inf`, `NaN`.
std::string FormatSampleValue(double value);

}  // namespace rivven
