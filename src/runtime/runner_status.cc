#include "runtime/runner_status.h"

namespace rivven {

bool IsValidGaugeName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  for (std::string_view reserved : {"connector_", "source_", "build_"}) {
    if (name.substr(0, reserved.size()) == reserved) return false;
  }
  return true;
}

std::vector<std::string> RunnerStatus::SetGauges(const std::vector<SourceGauge>& gauges) {
  std::vector<std::string> rejected;
  std::lock_guard<std::mutex> lock(mu_);
  for (const SourceGauge& g : gauges) {
    if (!IsValidGaugeName(g.name)) {
      rejected.push_back(g.name);
      continue;
    }
    gauges_.insert_or_assign(g.name, g);
  }
  return rejected;
}

std::vector<SourceGauge> RunnerStatus::Gauges() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SourceGauge> out;
  out.reserve(gauges_.size());
  for (const auto& [name, gauge] : gauges_) out.push_back(gauge);
  return out;
}

const char* RunnerPhaseName(RunnerPhase phase) {
  switch (phase) {
    case RunnerPhase::kStarting: return "starting";
    case RunnerPhase::kRunning: return "running";
    case RunnerPhase::kFinished: return "finished";
    case RunnerPhase::kStopped: return "stopped";
    case RunnerPhase::kFailed: return "failed";
  }
  return "unknown";
}

}  // namespace rivven
