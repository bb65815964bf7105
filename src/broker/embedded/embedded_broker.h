#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "broker/broker.h"

namespace rivven {

namespace embedded {
class BrokerCore;
}

struct EmbeddedBrokerOptions {
  std::string data_dir;
  /// 0: Send returns after fsync (group commit). N > 0: Send returns after write(2) and a
  /// background fsync runs every N ms, so a power loss can take the last N ms of records.
  int64_t flush_interval_ms = 0;
  int64_t segment_bytes = int64_t{128} << 20;            ///< roll the active segment past this
  /// Per partition, the newest fsync'd bytes left in the OS page cache; older log is dropped
  /// from it after each fsync (see LogConfig::page_cache_bytes). < 0: the kernel decides.
  int64_t page_cache_bytes = int64_t{32} << 20;
  int64_t retention_ms = int64_t{7} * 24 * 3600 * 1000;  ///< < 0: keep forever
  int64_t retention_bytes = -1;                          ///< per partition; < 0: unlimited
  /// Inspect a data dir another process may be writing: no lock, no repairs, no writes; reads
  /// follow the growing log. For `topics list/describe/tail`.
  bool read_only = false;
};

/// The embedded broker: topics as durable, partitioned logs of Kafka RecordBatch v2 segments
/// under `<data_dir>/topics/<topic>/<partition>/`, consumer-group offsets and source checkpoints
/// in `<data_dir>/offsets.log`. See src/broker/README.md for layout and recovery.
///
/// Durability: with flush_interval_ms = 0, Producer::Send returns once every record is
/// fdatasync'd (one flusher thread fsyncs all dirty partitions; concurrent sends share fsyncs),
/// and consumers never see a record before that. Commit and Checkpoints().Save return once
/// fdatasync'd.
///
/// Lifecycle: one process owns a data dir (`<data_dir>/.lock`); Close (or the destructor) waits
/// for in-flight sends, syncs, and releases it. Producers and consumers may outlive the broker
/// object: after Close they return Cancelled. Thread-safe.
class EmbeddedBroker final : public Broker {
 public:
  ~EmbeddedBroker() override;

  Result<std::vector<std::string>> ListTopics() override;
  Result<TopicInfo> DescribeTopic(const std::string& topic) override;
  Status CreateTopic(const std::string& topic, const TopicSpec& spec) override;
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& group,
                                                const std::vector<std::string>& topics) override;
  CheckpointStore& Checkpoints() override;
  Result<std::vector<TopicPartitionOffset>> CommittedOffsets(const std::string& group,
                                                             const std::string& topic) override;
  Status Close() override;

  /// Up to `max_records` durable records of one partition from offset `from` (moved up to the
  /// partition's start if older), waiting up to `wait` for the first one. For `topics tail`;
  /// follows a log another process is writing when read-only. Consecutive calls continuing where
  /// the previous one ended reuse a cached read position.
  Result<std::vector<ConsumedRecord>> Read(const std::string& topic, int32_t partition, Offset from,
                                           size_t max_records, std::chrono::milliseconds wait);
  /// One human-readable line per repair made on open (truncated tails, rebuilt indexes).
  const std::vector<std::string>& RecoveryReport() const;
  /// Applies retention to every partition now (the flusher thread also does so every minute).
  Status EnforceRetention();

 private:
  friend Result<std::unique_ptr<EmbeddedBroker>> OpenEmbeddedBroker(const EmbeddedBrokerOptions&);
  explicit EmbeddedBroker(std::shared_ptr<embedded::BrokerCore> core);

  // Shared with producers and consumers so they stay valid (and return Cancelled) if the runtime
  // destroys the broker before them.
  std::shared_ptr<embedded::BrokerCore> core_;
};

/// Opens (creating if needed) the data dir, takes its lock, recovers every partition. Errors:
/// FailedPrecondition when another process holds the dir, Corruption when a sealed segment is
/// damaged (naming file and byte), NotFound for a missing dir in read-only mode.
Result<std::unique_ptr<EmbeddedBroker>> OpenEmbeddedBroker(const EmbeddedBrokerOptions& options);

}  // namespace rivven
