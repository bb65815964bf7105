#include "base/connector_metrics.h"

namespace rivven {

std::atomic<uint64_t>& ConnectorMetrics::Counter(std::string_view name, std::string_view help,
                                                 std::string_view label_name,
                                                 std::string_view label_value) {
  std::lock_guard<std::mutex> l(mu_);
  auto& slot = counters_[CounterKey(std::string(name), std::string(label_name),
                                    std::string(label_value))];
  if (!slot) slot = std::make_unique<std::atomic<uint64_t>>(0);
  help_.try_emplace(std::string(name), std::string(help));
  return *slot;
}

LatencyHistogram& ConnectorMetrics::Histogram(std::string_view name, std::string_view help) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = histograms_.find(name);
  if (it == histograms_.end()) {
    it = histograms_.emplace(std::string(name), std::make_unique<LatencyHistogram>()).first;
  }
  help_.try_emplace(std::string(name), std::string(help));
  return *it->second;
}

std::vector<ConnectorMetrics::CounterSample> ConnectorMetrics::Counters() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<CounterSample> out;
  for (const auto& [key, value] : counters_) {
    const auto& [name, label_name, label_value] = key;
    out.push_back({name, help_.at(name), label_name, label_value, value->load(std::memory_order_relaxed)});
  }
  return out;
}

std::vector<ConnectorMetrics::HistogramSample> ConnectorMetrics::Histograms() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<HistogramSample> out;
  for (const auto& [name, h] : histograms_) out.push_back({name, help_.at(name), h.get()});
  return out;
}

}  // namespace rivven
