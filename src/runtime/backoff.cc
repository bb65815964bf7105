#include "runtime/backoff.h"

#include <algorithm>
#include <cmath>

namespace rivven {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  const double base = static_cast<double>(options_.initial.count()) *
                      std::pow(options_.multiplier, std::min(attempt_, 30));
  const double capped = std::min(base, static_cast<double>(options_.max.count()));
  std::uniform_real_distribution<double> dist(1.0 - options_.jitter, 1.0 + options_.jitter);
  ++attempt_;
  const double jittered = std::min(capped * dist(rng_), static_cast<double>(options_.max.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(1.0, jittered)));
}

}  // namespace rivven
