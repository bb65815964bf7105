#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>

namespace rivven {

/// A token bucket over records: `rate` tokens per second accrue up to `burst`; the bucket starts
/// full. Acquire(n) takes n tokens, waiting until enough have accrued; a request larger than the
/// bucket waits for a full bucket and leaves it in debt, so the long-run rate stays exact.
/// One per runner thread; not thread-safe.
class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Sleeper = std::function<bool(std::chrono::nanoseconds, std::stop_token)>;

  RateLimiter(double rate, int64_t burst);
  /// For tests: a fake clock and sleeper.
  RateLimiter(double rate, int64_t burst, Clock clock, Sleeper sleeper);

  /// Takes `n` tokens; returns the time spent waiting (zero when none was needed). Returns early,
  /// without the tokens, when `stop` is requested.
  std::chrono::nanoseconds Acquire(int64_t n, std::stop_token stop);
  int64_t burst() const { return burst_; }

 private:
  void Refill();

  double rate_;
  int64_t burst_;
  double tokens_;
  Clock clock_;
  Sleeper sleeper_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace rivven
