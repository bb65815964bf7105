#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/latency_histogram.h"

namespace rivven {

/// Counters and latency histograms a connector keeps about its own work (HTTP requests,
/// retries, ...). The runtime owns one per connector and exports each as
/// `rivven_<name>{connector=..,type=..,kind=..[,<label>=..]}`. Names must match
/// [a-z_][a-z0-9_]*, end in _total for counters, and not start with connector_, source_,
/// sink_, build_ or process_ (the runtime's own families).
///
/// Thread-safe: registering takes a lock, updating the returned counter or histogram does not;
/// what is returned lives as long as this object.
class ConnectorMetrics {
 public:
  std::atomic<uint64_t>& Counter(std::string_view name, std::string_view help,
                                 std::string_view label_name = {},
                                 std::string_view label_value = {});
  LatencyHistogram& Histogram(std::string_view name, std::string_view help);

  struct CounterSample {
    std::string name, help, label_name, label_value;
    uint64_t value = 0;
  };
  struct HistogramSample {
    std::string name, help;
    const LatencyHistogram* histogram = nullptr;
  };
  /// Sorted by name, then label.
  std::vector<CounterSample> Counters() const;
  std::vector<HistogramSample> Histograms() const;

 private:
  mutable std::mutex mu_;
  using CounterKey = std::tuple<std::string, std::string, std::string>;
  std::map<CounterKey, std::unique_ptr<std::atomic<uint64_t>>> counters_;
  std::map<std::string, std::unique_ptr<LatencyHistogram>, std::less<>> histograms_;
  std::map<std::string, std::string, std::less<>> help_;
};

}  // namespace rivven
