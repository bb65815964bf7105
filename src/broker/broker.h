#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "record/record.h"

namespace rivven {

/// Per-topic settings fixed at creation (partitions) or adjustable later (retention).
struct TopicSpec {
  int32_t partitions = 1;
  int32_t replication_factor = 1;  ///< copies on a Kafka cluster; always 1 for the embedded log
  int64_t retention_ms = -1;     ///< -1: broker default
  int64_t retention_bytes = -1;  ///< per partition; -1: broker default
  int64_t segment_bytes = -1;    ///< -1: broker default
};

struct PartitionInfo {
  int32_t partition = 0;
  Offset start_offset;  ///< first offset still stored (after retention)
  Offset end_offset;    ///< next offset to be written; only durable records are below it
  int64_t size_bytes = 0;
  int32_t segments = 0;
};

struct TopicInfo {
  std::string name;
  TopicSpec spec;
  std::vector<PartitionInfo> partitions;
};

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  Offset offset;  ///< next offset to consume (Kafka commit semantics)
};

/// Writes records to topics. One per source task; not shared between threads.
class Producer {
 public:
  virtual ~Producer() = default;
  /// Appends `records` to `topic` (records with a non-empty `topic` field go to that topic
  /// instead). Keyed records go to murmur2(key) % partitions; keyless records go round-robin,
  /// one partition per call batch ("sticky"). Returns only when every record is durable
  /// (fsync'd; in flush_interval_ms mode, written to the OS). Order within a key is preserved.
  virtual Status Send(const std::string& topic, std::vector<Record>& records) = 0;
};

/// Reads a set of topics as one consumer group member. One per sink task; not shared.
/// A partition with no committed offset starts at its earliest stored offset.
class Consumer {
 public:
  virtual ~Consumer() = default;
  /// Up to `max_records` records past this consumer's position, waiting up to `max_wait` when
  /// none are available (no busy polling). Only durable records are ever returned. An empty
  /// vector means nothing arrived in time (or Wakeup was called).
  virtual Result<std::vector<ConsumedRecord>> Poll(size_t max_records,
                                                   std::chrono::milliseconds max_wait) = 0;
  /// Durably records `offsets` as the group's next offsets to read.
  virtual Status Commit(const std::vector<TopicPartitionOffset>& offsets) = 0;
  /// This consumer's current read position for every assigned partition.
  virtual std::vector<TopicPartitionOffset> Positions() const = 0;
  /// Makes a blocked Poll return promptly. Safe from any thread.
  virtual void Wakeup() = 0;
  /// Records returned by Poll that the caller is done with: an implementation may reuse their
  /// buffers for the next Poll. Whatever it leaves in `spent` is freed by the caller.
  virtual void Recycle(std::vector<ConsumedRecord>& spent) {}
};

/// Durable map source-name -> opaque source position (JSON text). Save returns once durable.
/// Thread-safe.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual Status Save(const std::string& source, const std::string& position) = 0;
  virtual Result<std::optional<std::string>> Load(const std::string& source) = 0;
};

/// The right to run one source. With several rivven-connect processes on one Kafka cluster,
/// each source runs in exactly one of them: the one holding its lease. Thread-safe.
class SourceLease {
 public:
  virtual ~SourceLease() = default;
  /// Whether this process may run the source now. Cheap; changes when processes join or leave.
  virtual bool Held() const = 0;
};

/// Where topics live: the embedded log (broker/embedded) or a Kafka cluster (broker/kafka).
/// Thread-safe; owned by the pipeline for the whole run.
class Broker {
 public:
  virtual ~Broker() = default;
  virtual Result<std::vector<std::string>> ListTopics() = 0;
  /// NotFound when the topic does not exist.
  virtual Result<TopicInfo> DescribeTopic(const std::string& topic) = 0;
  /// AlreadyExists when it does.
  virtual Status CreateTopic(const std::string& topic, const TopicSpec& spec) = 0;
  virtual Result<std::unique_ptr<Producer>> NewProducer() = 0;
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& group,
                                                        const std::vector<std::string>& topics) = 0;
  virtual CheckpointStore& Checkpoints() = 0;
  /// Competes for the right to run `source` (see SourceLease). The embedded broker belongs to
  /// one process: its leases are always held.
  virtual Result<std::unique_ptr<SourceLease>> LeaseSource(const std::string& source);
  /// Committed offsets of `group` on `topic` (partitions without a commit are absent).
  virtual Result<std::vector<TopicPartitionOffset>> CommittedOffsets(const std::string& group,
                                                                     const std::string& topic) = 0;
  /// Flushes and releases everything (also done by the destructor).
  virtual Status Close() = 0;
};

/// A lease that is always held (one process, nobody to share with).
class HeldLease final : public SourceLease {
 public:
  bool Held() const override { return true; }
};

inline Result<std::unique_ptr<SourceLease>> Broker::LeaseSource(const std::string&) {
  return std::unique_ptr<SourceLease>(std::make_unique<HeldLease>());
}

}  // namespace rivven
