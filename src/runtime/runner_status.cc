#include "runtime/runner_status.h"

namespace rivven {

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
