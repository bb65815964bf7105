#pragma once

#include <chrono>
#include <cstdint>

#include "base/types.h"

namespace rivven {

/// Wall-clock milliseconds since the Unix epoch (record timestamps, ts_ms).
inline TimestampMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Monotonic clock for deadlines, rates and latencies.
using SteadyClock = std::chrono::steady_clock;

}  // namespace rivven
