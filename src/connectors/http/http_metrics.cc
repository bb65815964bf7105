#include "connectors/http/http_metrics.h"

namespace rivven::http {

HttpMetrics::HttpMetrics(ConnectorMetrics* metrics) {
  ConnectorMetrics& m = metrics != nullptr ? *metrics : own_;
  static constexpr const char* kClasses[] = {"2xx", "3xx", "4xx", "5xx", "error"};
  for (int i = 0; i < 5; ++i) {
    by_class_[i] = &m.Counter("http_requests_total",
                              "HTTP requests sent, by status class (error: no response).",
                              "status_class", kClasses[i]);
  }
  retries_ = &m.Counter("http_retries_total", "HTTP requests sent again after a failure.");
  duplicates_ = &m.Counter("http_possible_duplicates_total",
                           "Records delivered by a retry after a timeout or a dropped connection, "
                           "which the endpoint may have received twice.");
  latency_ = &m.Histogram("http_request_duration_seconds",
                          "Time from sending an HTTP request to its complete response.");
}

void HttpMetrics::Request(long status, std::chrono::microseconds elapsed) {
  const int i = status >= 200 && status < 300   ? 0
                : status >= 300 && status < 400 ? 1
                : status >= 400 && status < 500 ? 2
                : status >= 500 && status < 600 ? 3
                                                : 4;
  by_class_[i]->fetch_add(1, std::memory_order_relaxed);
  latency_->Observe(static_cast<double>(elapsed.count()) / 1e6);
}

}  // namespace rivven::http
