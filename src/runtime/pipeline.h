#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <vector>

#include "base/status.h"
#include "broker/broker.h"
#include "runtime/pipeline_plan.h"
#include "runtime/runner_status.h"
#include "runtime/sink_runner.h"
#include "runtime/source_runner.h"

namespace rivven {

struct PipelineOptions {
  SourceRunnerOptions source;
  SinkRunnerOptions sink;
  bool embedded_broker = true;
};

/// Runs a planned pipeline on a broker: provisions topics, starts one runner per enabled sink
/// and source, and returns when
///  - every source finished (bounded run) and every sink has flushed and committed everything
///    the sources produced: OK;
///  - RequestStop was called (SIGINT/SIGTERM): sources stop, sinks flush and commit: OK;
///  - a runner failed for good: the rest are stopped gracefully and its error is returned.
/// Run is called from one thread; RequestStop from any thread.
class Pipeline {
 public:
  Pipeline(const PipelinePlan& plan, Broker& broker, PipelineOptions options);
  ~Pipeline();

  Status Run();
  void RequestStop();
  /// Every runner's status (stable once Run has started them). For metrics, health, progress.
  /// Thread-safe: the list is fixed before any runner starts and notifies `Started`.
  std::vector<RunnerStatus*> Statuses();
  /// Waits until Run has created the runners (or `timeout`); false on timeout.
  bool WaitStarted(std::chrono::milliseconds timeout);
  /// Restarts the running source or sink `name` with `config` (ConfigSlot). False when no
  /// runner of that name runs (disabled, or not started yet). Any thread.
  bool Reconfigure(std::string_view name, config::BoundConfig config);

 private:
  Status StopAll();
  std::vector<TopicPartitionOffset> EndOffsets(const std::vector<std::string>& topics);

  const PipelinePlan& plan_;
  Broker& broker_;
  PipelineOptions options_;
  Notifier notifier_;
  std::atomic<bool> stop_requested_{false};
  std::mutex started_mu_;
  std::condition_variable started_cv_;
  bool started_ = false;
  std::vector<std::unique_ptr<SourceRunner>> sources_;
  std::vector<std::unique_ptr<SinkRunner>> sinks_;
};

}  // namespace rivven
