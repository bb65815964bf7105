#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/connector.h"
#include "base/connector_metrics.h"
#include "base/latency_histogram.h"

namespace rivven {

/// Wakes the pipeline's orchestrating thread when any runner changes phase. Thread-safe.
class Notifier {
 public:
  void Notify() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++generation_;
    }
    cv_.notify_all();
  }
  /// Waits until Notify is called after `seen`, or `timeout`; returns the new generation.
  template <typename Rep, typename Period>
  uint64_t WaitFor(uint64_t seen, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return generation_ != seen; });
    return generation_;
  }
  uint64_t generation() {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
};

/// True when `name` may be a SourceGauge name: [a-z_][a-z0-9_]*, and not in the runtime's own
/// namespaces (`connector_`, `source_`, `build_` prefixes), so `rivven_<name>` never collides
/// with another family.
bool IsValidGaugeName(std::string_view name);

enum class RunnerPhase { kStarting, kRunning, kFinished, kStopped, kFailed };
enum class RunnerKind { kSource, kSink };
const char* RunnerPhaseName(RunnerPhase phase);

/// The phase, final error and counters of one source or sink runner, written by the runner's
/// threads and read by the pipeline (and later by metrics). Thread-safe.
class RunnerStatus {
 public:
  RunnerStatus(Notifier& notifier, RunnerKind kind, std::string name, std::string connector)
      : kind(kind), name(std::move(name)), connector(std::move(connector)), notifier_(notifier) {}

  void SetPhase(RunnerPhase phase, Status error = Status::Ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      phase_ = phase;
      if (!error.ok()) error_ = std::move(error);
    }
    notifier_.Notify();
  }
  RunnerPhase phase() const {
    std::lock_guard<std::mutex> lock(mu_);
    return phase_;
  }
  Status error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  bool done() const {
    const RunnerPhase p = phase();
    return p == RunnerPhase::kFinished || p == RunnerPhase::kStopped || p == RunnerPhase::kFailed;
  }

  /// Healthy = running and not currently failing (cleared while a restart backoff runs).
  void SetHealthy(bool healthy, const std::string& reason = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    healthy_ = healthy;
    unhealthy_reason_ = healthy ? std::string() : reason;
  }
  bool healthy() const {
    std::lock_guard<std::mutex> lock(mu_);
    return healthy_ && phase_ != RunnerPhase::kFailed;
  }
  std::string unhealthy_reason() const {
    std::lock_guard<std::mutex> lock(mu_);
    return phase_ == RunnerPhase::kFailed ? error_.ToString() : unhealthy_reason_;
  }
  void SetPosition(std::string position) {
    std::lock_guard<std::mutex> lock(mu_);
    position_ = std::move(position);
  }
  std::string position() const {
    std::lock_guard<std::mutex> lock(mu_);
    return position_;
  }
  void SetProgressUnit(std::string unit) {
    std::lock_guard<std::mutex> lock(mu_);
    progress_unit_ = std::move(unit);
  }
  std::string progress_unit() const {
    std::lock_guard<std::mutex> lock(mu_);
    return progress_unit_;
  }

  /// Keeps the latest value of each gauge in `gauges` (other names keep theirs). Names failing
  /// IsValidGaugeName are not kept; they are returned so the caller can warn.
  std::vector<std::string> SetGauges(const std::vector<SourceGauge>& gauges);
  /// The latest value of every gauge set so far, sorted by name.
  std::vector<SourceGauge> Gauges() const;

  const RunnerKind kind;
  const std::string name;       ///< key under sources:/sinks:
  const std::string connector;  ///< connector type, e.g. "datagen"

  // Counters, as Prometheus counters (monotonic) unless noted. Written by the runner threads.
  std::atomic<uint64_t> records{0};        ///< sources: produced durably; sinks: written + committed
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> errors{0};         ///< failed operations (each restart cause, each reject)
  std::atomic<uint64_t> retries{0};        ///< retried operations
  std::atomic<uint64_t> restarts{0};
  std::atomic<uint64_t> skipped{0};        ///< records dropped by on_error: skip
  std::atomic<uint64_t> dead_lettered{0};  ///< records written to the dead letter topic
  std::atomic<uint64_t> throttled_ns{0};   ///< time spent waiting on rate_limit
  std::atomic<int64_t> lag{0};             ///< gauge; sinks: records behind the topics' ends
  std::atomic<uint64_t> progress_done{0};  ///< gauge; bounded sources
  std::atomic<uint64_t> progress_total{0}; ///< gauge; 0 = unknown
  LatencyHistogram batch_latency;          ///< sources: poll->durable; sinks: write+flush+commit
  ConnectorMetrics connector_metrics;      ///< what the connector counts itself

 private:
  Notifier& notifier_;
  mutable std::mutex mu_;
  RunnerPhase phase_ = RunnerPhase::kStarting;
  Status error_;
  bool healthy_ = true;
  std::string unhealthy_reason_;
  std::string position_;
  std::string progress_unit_ = "records";
  std::map<std::string, SourceGauge, std::less<>> gauges_;  ///< by name
};

}  // namespace rivven
