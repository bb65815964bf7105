#pragma once

#include <chrono>
#include <random>

namespace rivven::http {

/// The wait before retry number `retry` (1 = the first retry): exponential from `initial`,
/// capped at `max`, with equal jitter (half fixed, half random) so clients that failed together
/// do not retry in step. Shared by every client and sink that retries.
std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max, std::mt19937_64& rng);

}  // namespace rivven::http
