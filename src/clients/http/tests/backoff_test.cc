// Exponential backoff with equal jitter.
#include "clients/http/backoff.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace rivven::http {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, DoublesUpToTheCapWithHalfOfItRandom) {
  std::mt19937_64 rng(1);
  std::set<int64_t> seen;
  for (int retry = 1; retry <= 12; ++retry) {
    const auto d = BackoffDelay(retry, 100ms, 5000ms, rng);
    const int64_t full = std::min<int64_t>(100LL << (retry - 1), 5000);
    EXPECT_GE(d.count(), full - full / 2) << retry;
    EXPECT_LE(d.count(), full) << retry;
    if (full == 5000) seen.insert(d.count());
  }
  EXPECT_GT(seen.size(), 1u) << "capped delays still vary";
  EXPECT_EQ(BackoffDelay(3, 0ms, 1000ms, rng), 0ms);
}

}  // namespace
}  // namespace rivven::http
