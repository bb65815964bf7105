#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "base/connector_metrics.h"

namespace rivven::http {

/// The metrics both HTTP connectors export (through the runtime's ConnectorMetrics):
///   rivven_http_requests_total{status_class="2xx|3xx|4xx|5xx|error"}
///   rivven_http_request_duration_seconds (histogram, every request)
///   rivven_http_retries_total
///   rivven_http_possible_duplicates_total (webhook: records a retry may have delivered twice)
/// With no ConnectorMetrics (tests), they are kept here and go nowhere.
class HttpMetrics {
 public:
  explicit HttpMetrics(ConnectorMetrics* metrics);

  /// A request that got an HTTP status (0: a transport failure) after `elapsed`.
  void Request(long status, std::chrono::microseconds elapsed);
  void Retry() { retries_->fetch_add(1, std::memory_order_relaxed); }
  /// Records delivered by a retry after a timeout or a dropped connection: the endpoint may
  /// have received them twice.
  void PossibleDuplicates(uint64_t n) { duplicates_->fetch_add(n, std::memory_order_relaxed); }

 private:
  ConnectorMetrics own_;
  std::atomic<uint64_t>* by_class_[5];  // 2xx 3xx 4xx 5xx error
  std::atomic<uint64_t>* retries_;
  std::atomic<uint64_t>* duplicates_;
  LatencyHistogram* latency_;
};

}  // namespace rivven::http
