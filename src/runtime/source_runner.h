#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <set>
#include <thread>

#include "broker/broker.h"
#include "connectors/connector.h"
#include "runtime/backoff.h"
#include "runtime/bounded_queue.h"
#include "runtime/config_slot.h"
#include "runtime/error_handler.h"
#include "runtime/rate_limiter.h"
#include "runtime/record_limits.h"
#include "runtime/pipeline_plan.h"
#include "runtime/restart_policy.h"
#include "runtime/runner_status.h"

namespace rivven {

struct SourceRunnerOptions {
  size_t batch_records = 8192;                  ///< max records per Poll
  std::chrono::milliseconds poll_wait{200};     ///< max block inside one Poll
  /// Polled-but-unsent batches, bounded by count and bytes. Many small batches may wait while
  /// an fsync runs (they are merged into one Send); the byte bound keeps memory flat.
  size_t queue_batches = 64;
  size_t queue_bytes = 4u << 20;
  size_t max_send_records = 32768;              ///< batches merged into one durable Send
  size_t max_send_bytes = 4u << 20;             ///< ... and their bytes
  RestartOptions restart;
  std::string data_dir;                         ///< parent of per-connector state dirs
  config::TopicSettings topic_settings;         ///< for topics chosen by routing transforms
  /// max_record_bytes: larger records go through on_error; max_batch_bytes: caps queue_bytes
  /// and max_send_bytes.
  RecordLimits limits;
};

/// Runs one source connector: a poll thread calls Source::Poll and hands batches through a
/// bounded queue to a send thread, which produces them durably to the broker, then saves the
/// batch's source position in the checkpoint store, then lets the poll thread acknowledge it
/// to the source (so the Source object is only ever touched by the poll thread).
///
/// Delivery: at-least-once. A position is checkpointed only after its records are durable; a
/// restart (after a crash or a connector failure) resumes from the last checkpoint, so the
/// duplicates are at most the batches in flight.
class SourceRunner {
 public:
  SourceRunner(const PlannedSource& plan, Broker& broker, SourceRunnerOptions options,
               Notifier& notifier);
  ~SourceRunner();

  void Start();
  /// Graceful stop: polling stops, every batch already polled is produced and checkpointed.
  void RequestStop();
  void Join();

  const std::string& name() const { return plan_.spec.name; }
  RunnerStatus& status() { return status_; }
  /// Restarts the source with `config` (its block bound again after a secret changed): what is
  /// in flight is checkpointed first, then the source resumes from its checkpoint. Any thread.
  void Reconfigure(config::BoundConfig config) { config_.Replace(std::move(config)); }

 private:
  struct Pending {
    SourceBatch batch;
    std::chrono::steady_clock::time_point polled_at;  ///< when its Poll began
  };

  void PollLoop(std::stop_token stop);
  void SendLoop();
  Result<std::unique_ptr<Source>> CreateAndOpen();
  Status SendDurably(std::vector<Record>& records, const std::string& position);
  Backoff send_backoff_;  ///< SendDurably's retries (send thread); seeded once, not per send
  /// Runs the source's transforms over a polled batch; rejected records go through on_error.
  Status ApplyTransforms(SourceBatch& batch);
  /// Creates (per settings.topic) the topics that routing transforms chose, once each.
  Status EnsureRoutedTopics(const std::vector<Record>& records);
  void WaitInFlightDone(std::stop_token stop);
  /// Acknowledges the last durable position to the source and gives it back the delivered
  /// records (`spent` is scratch, left empty).
  void HandBackDelivered(Source& source, std::vector<Record>& spent);

  const PlannedSource& plan_;
  ConfigSlot config_;  ///< plan_.config, or what Reconfigure put there
  Broker& broker_;
  SourceRunnerOptions options_;
  RunnerStatus status_;
  BoundedQueue<Pending> queue_;
  std::unique_ptr<Producer> producer_;
  std::set<std::string> known_topics_;  ///< routed topics known to exist (send thread)
  PolicyErrorHandler errors_;  ///< used by the source from the poll thread

  std::mutex ack_mu_;
  std::string ack_position_;  ///< latest durable checkpoint not yet acknowledged
  /// Records the send thread delivered, given back to the source by the poll thread: their
  /// buffers are reused (or freed) on the thread that allocated them.
  std::vector<Record> spent_;  ///< guarded by ack_mu_

  std::atomic<uint64_t> pushed_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> send_failed_{false};
  std::stop_source send_stop_;  ///< hard stop for the send thread's retries

  std::jthread poll_thread_;
  std::jthread send_thread_;
};

}  // namespace rivven
