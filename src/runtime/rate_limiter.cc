#include "runtime/rate_limiter.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace rivven {
namespace {

bool SleepUnlessStopped(std::chrono::nanoseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

RateLimiter::RateLimiter(double rate, int64_t burst)
    : RateLimiter(rate, burst, [] { return std::chrono::steady_clock::now(); }, SleepUnlessStopped) {}

RateLimiter::RateLimiter(double rate, int64_t burst, Clock clock, Sleeper sleeper)
    : rate_(rate),
      burst_(std::max<int64_t>(1, burst)),
      tokens_(static_cast<double>(burst_)),
      clock_(std::move(clock)),
      sleeper_(std::move(sleeper)),
      last_(clock_()) {}

void RateLimiter::Refill() {
  const auto now = clock_();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * rate_);
}

std::chrono::nanoseconds RateLimiter::Acquire(int64_t n, std::stop_token stop) {
  const auto start = clock_();
  const double needed = static_cast<double>(std::min(n, burst_));
  Refill();
  while (tokens_ < needed) {
    const auto wait = std::chrono::duration<double>((needed - tokens_) / rate_);
    if (!sleeper_(std::chrono::duration_cast<std::chrono::nanoseconds>(wait) +
                      std::chrono::microseconds(50),
                  stop)) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_() - start);
    }
    Refill();
  }
  tokens_ -= static_cast<double>(n);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_() - start);
}

}  // namespace rivven
