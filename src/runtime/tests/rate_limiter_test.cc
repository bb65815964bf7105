#include "runtime/rate_limiter.h"

#include <thread>

#include <gtest/gtest.h>

namespace rivven {
namespace {

using namespace std::chrono_literals;

/// A clock that only moves when the limiter sleeps.
struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  RateLimiter Make(double rate, int64_t burst) {
    return RateLimiter(
        rate, burst, [this] { return now; },
        [this](std::chrono::nanoseconds d, std::stop_token) {
          now += d;
          return true;
        });
  }
};

TEST(RateLimiterTest, StartsFullThenHoldsTheRate) {
  FakeTime t;
  RateLimiter limiter = t.Make(1000, 100);
  EXPECT_EQ(limiter.Acquire(100, {}).count(), 0);  // the initial burst is free
  const auto start = t.now;
  int64_t taken = 0;
  while (t.now - start < 10s) {
    limiter.Acquire(10, {});
    taken += 10;
  }
  // 10 s at 1000/s: within 1% (one acquisition of slack).
  EXPECT_NEAR(static_cast<double>(taken), 10000.0, 100.0);
}

TEST(RateLimiterTest, IdleTimeRefillsOnlyUpToBurst) {
  FakeTime t;
  RateLimiter limiter = t.Make(100, 20);
  limiter.Acquire(20, {});
  t.now += 60s;  // a long idle period
  EXPECT_EQ(limiter.Acquire(20, {}).count(), 0);
  EXPECT_GT(limiter.Acquire(20, {}).count(), 0);  // the bucket did not hold more than 20
}

TEST(RateLimiterTest, OversizedRequestGoesIntoDebt) {
  FakeTime t;
  RateLimiter limiter = t.Make(100, 10);
  limiter.Acquire(10, {});
  const auto waited = limiter.Acquire(110, {});  // waits for a full bucket, then owes 100
  EXPECT_NEAR(std::chrono::duration<double>(waited).count(), 0.1, 0.01);
  const auto debt = limiter.Acquire(1, {});
  EXPECT_NEAR(std::chrono::duration<double>(debt).count(), 1.01, 0.02);
}

TEST(RateLimiterTest, RealClockStopsPromptly) {
  RateLimiter limiter(1, 1);
  limiter.Acquire(1, {});
  std::stop_source stop;
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  limiter.Acquire(1, stop.get_token());
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
}

}  // namespace
}  // namespace rivven
