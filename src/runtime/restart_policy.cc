#include "runtime/restart_policy.h"

#include <condition_variable>
#include <mutex>

#include "base/log.h"

namespace rivven {

bool SleepFor(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

bool RestartPolicy::ShouldRestart(const Status& failure, std::stop_token stop) {
  if (!failure.retriable()) {
    ++fatal_in_a_row_;
    if (fatal_in_a_row_ > options_.max_fatal_restarts) {
      log::Error(connector_, "giving up after {} consecutive failures: {}", fatal_in_a_row_,
                 failure.ToString());
      return false;
    }
  }
  const auto delay = backoff_.Next();
  log::Warn(connector_, "{} failure (attempt {}): {}; restarting in {} ms",
            failure.retriable() ? "retriable" : "fatal", backoff_.attempts(), failure.ToString(),
            delay.count());
  return SleepFor(delay, stop);
}

}  // namespace rivven
