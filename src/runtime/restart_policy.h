#pragma once

#include <chrono>
#include <stop_token>
#include <string>

#include "base/status.h"
#include "runtime/backoff.h"

namespace rivven {

struct RestartOptions {
  BackoffOptions backoff;
  /// Consecutive fatal failures after which a connector is given up on (the pipeline fails).
  /// Retriable failures are retried without limit, with backoff, and reported.
  int max_fatal_restarts = 3;
};

/// Decides, after a connector failure, whether to restart it and sleeps the backoff delay.
/// One per runner thread.
class RestartPolicy {
 public:
  RestartPolicy(std::string connector, RestartOptions options)
      : connector_(std::move(connector)), options_(options), backoff_(options.backoff) {}

  /// Logs the failure and sleeps the backoff (returning early when `stop` is requested).
  /// False when the connector must be given up on.
  bool ShouldRestart(const Status& failure, std::stop_token stop);
  /// Called after the connector made progress again.
  void Succeeded() {
    backoff_.Reset();
    fatal_in_a_row_ = 0;
  }

 private:
  std::string connector_;
  RestartOptions options_;
  Backoff backoff_;
  int fatal_in_a_row_ = 0;
};

/// Sleeps `d` unless `stop` is requested first. Returns false when stopped.
bool SleepFor(std::chrono::milliseconds d, std::stop_token stop);

}  // namespace rivven
