#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "base/status.h"

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

enum class RunnerPhase { kStarting, kRunning, kFinished, kStopped, kFailed };

/// The phase, final error and counters of one source or sink runner, written by the runner's
/// threads and read by the pipeline (and later by metrics). Thread-safe.
class RunnerStatus {
 public:
  explicit RunnerStatus(Notifier& notifier) : notifier_(notifier) {}

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

  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> restarts{0};

 private:
  Notifier& notifier_;
  mutable std::mutex mu_;
  RunnerPhase phase_ = RunnerPhase::kStarting;
  Status error_;
};

}  // namespace rivven
