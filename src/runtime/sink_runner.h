#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "connectors/connector.h"
#include "runtime/config_slot.h"
#include "runtime/error_handler.h"
#include "runtime/pipeline_plan.h"
#include "runtime/record_limits.h"
#include "runtime/restart_policy.h"
#include "runtime/runner_status.h"

namespace rivven {

struct SinkRunnerOptions {
  size_t poll_records = 8192;
  std::chrono::milliseconds poll_wait{200};
  size_t flush_records = 65536;              ///< flush + commit after this many records...
  std::chrono::milliseconds flush_interval{500};  ///< ...or this long, or when caught up
  RestartOptions restart;
  std::string data_dir;
  /// max_record_bytes: larger records go through on_error; max_batch_bytes: the most record
  /// bytes in one Sink::Write, and what the poll size aims at.
  RecordLimits limits;
};

/// Runs one sink connector on one thread: polls its consumer group, writes to the sink, and
/// commits the group's offsets only after Sink::Flush reported the data durable at the
/// destination. A failure restarts the sink and the consumer, which resumes from the last
/// committed offsets (at-least-once; duplicates bounded by one unflushed batch).
class SinkRunner {
 public:
  SinkRunner(const PlannedSink& plan, Broker& broker, SinkRunnerOptions options, Notifier& notifier);
  ~SinkRunner();

  void Start();
  /// Graceful stop: flush what was written, commit, return.
  void RequestStop();
  /// For bounded runs: finish once every partition's position reaches `target` (exclusive end
  /// offsets), everything is flushed and committed.
  void SetDrainTarget(std::vector<TopicPartitionOffset> target);
  void Join();

  const std::string& name() const { return plan_.spec.name; }
  const PlannedSink& plan() const { return plan_; }
  RunnerStatus& status() { return status_; }
  /// Restarts the sink with `config` (its block bound again after a secret changed): what was
  /// written is flushed and committed first, then consuming resumes from the commit. Any thread.
  void Reconfigure(config::BoundConfig config);

 private:
  enum class Outcome { kStopped, kDrained, kFailed, kReconfigured };
  void Loop(std::stop_token stop);
  /// One life of the sink + consumer; returns how it ended (and the failure, if any).
  std::pair<Outcome, Status> RunOnce(std::stop_token stop);
  bool DrainTargetReached(const std::vector<TopicPartitionOffset>& positions);
  /// Runs the sink's transforms; rejected records go through on_error.
  Status ApplyTransforms(std::vector<ConsumedRecord>& records);
  /// Updates the lag gauge and position text from the consumer's positions.
  void UpdateLag(const std::vector<TopicPartitionOffset>& positions);

  const PlannedSink& plan_;
  ConfigSlot config_;  ///< plan_.config, or what Reconfigure put there
  Broker& broker_;
  SinkRunnerOptions options_;
  RunnerStatus status_;
  PolicyErrorHandler errors_;  ///< used by the sink from the runner thread

  std::mutex mu_;
  std::optional<std::map<std::pair<std::string, int32_t>, Offset>> drain_target_;
  Consumer* consumer_ = nullptr;  ///< the live consumer, for Wakeup (guarded by mu_)

  std::jthread thread_;
};

}  // namespace rivven
