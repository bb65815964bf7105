#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace rivven {

struct BackoffOptions {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
  double jitter = 0.2;  ///< each delay is scaled by a random factor in [1-jitter, 1+jitter]
};

/// Exponential backoff with jitter for retries and connector restarts. Not thread-safe; one per
/// retrying loop.
class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}, uint64_t seed = std::random_device{}());
  /// The delay before the next attempt; grows until `max`.
  std::chrono::milliseconds Next();
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

}  // namespace rivven
