#include "clients/http/backoff.h"

#include <algorithm>
#include <cstdint>

namespace rivven::http {

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max, std::mt19937_64& rng) {
  int64_t d = initial.count();
  for (int i = 1; i < retry && d < max.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, max.count());
  if (d <= 1) return std::chrono::milliseconds(d);
  std::uniform_int_distribution<int64_t> half(0, d / 2);
  return std::chrono::milliseconds(d - d / 2 + half(rng));
}

}  // namespace rivven::http
