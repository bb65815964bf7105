#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "clients/kafka/kafka_config.h"
#include "record/record.h"

namespace rivven::kafka {

struct ProducerOptions {
  std::string acks = "all";          ///< all, -1, 0 or 1
  std::string compression = "none";  ///< none, gzip, snappy, lz4, zstd
  /// No duplicates or reordering from librdkafka's own retries (needs acks=all).
  bool idempotence = true;
  /// Non-empty: a transactional producer with this id (Begin/Commit/AbortTransaction).
  std::string transactional_id;
  int64_t linger_ms = 5;
  /// How long a message may take from Produce to its acknowledgement, retries included.
  int64_t delivery_timeout_ms = 120000;
};

/// Validates acks and compression; errors name the value and the choices.
Status CheckProducerOptions(const ProducerOptions& options);

/// A librdkafka producer. Keyed messages go to murmur2(key) % partitions, as Java's producer
/// and the embedded broker place them; keyless ones stick to one partition for a while.
///
/// Thread: one thread calls everything (delivery reports are served inside Produce and Flush).
/// Messages are copied into librdkafka's queue, so a record may go away once Produce returns.
class KafkaProducer {
 public:
  static Result<std::unique_ptr<KafkaProducer>> Create(const ClientConfig& client,
                                                       const ProducerOptions& options);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  /// Queues `record` for `topic` (`partition` -1: by key as above). Waits while librdkafka's
  /// local queue is full. Errors: a fatal producer error, or a record the library refuses.
  Status Produce(const std::string& topic, const Record& record, int32_t partition = -1);
  /// Waits until every queued message is acknowledged or failed. The first failure since the
  /// last Flush comes back (kTimeout when `timeout` passed with messages outstanding).
  Status Flush(std::chrono::milliseconds timeout);

  Status InitTransactions(std::chrono::milliseconds timeout);
  Status BeginTransaction();
  Status CommitTransaction(std::chrono::milliseconds timeout);
  Status AbortTransaction(std::chrono::milliseconds timeout);

  /// The partition count of `topic` from the cluster's metadata (NotFound when it is absent).
  Result<int32_t> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout);

  /// Messages produced and not yet acknowledged or failed.
  int64_t outstanding() const { return outstanding_; }
  void* native_handle() const { return rk_; }

 private:
  KafkaProducer() = default;
  static void OnDelivery(void* rk, const void* message, void* opaque);
  void* TopicHandle(const std::string& topic);

  void* rk_ = nullptr;  // rd_kafka_t*
  std::unordered_map<std::string, void*> topics_;  // rd_kafka_topic_t*
  int64_t outstanding_ = 0;
  uint64_t produced_ = 0;
  Status first_error_;
  std::string where_;  ///< the bootstrap servers, for messages
};

}  // namespace rivven::kafka
