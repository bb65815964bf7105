#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "clients/kafka/kafka_config.h"
#include "record/record.h"

namespace rivven::kafka {

struct ConsumerOptions {
  /// The consumer group; empty for a consumer that is only assigned partitions (Assign) and
  /// neither subscribes nor commits.
  std::string group_id;
  /// Where a partition without a committed offset starts: earliest or latest.
  std::string auto_offset_reset = "earliest";
  /// Skip records of aborted (and wait for open) transactions.
  bool read_committed = true;
  int64_t session_timeout_ms = 10000;
  int64_t max_poll_interval_ms = 300000;
};

/// A (topic, partition) and an offset: the next one to read, as Kafka commits them.
struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

/// A librdkafka consumer with manual commits: nothing is committed unless Commit is called.
///
/// Thread: one thread calls everything but Wakeup, which any thread may call.
class KafkaConsumer {
 public:
  static Result<std::unique_ptr<KafkaConsumer>> Create(const ClientConfig& client,
                                                       const ConsumerOptions& options);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Joins the group for `topics`; an entry starting with '^' is a regular expression
  /// matching topic names (librdkafka's convention).
  Status Subscribe(const std::vector<std::string>& topics);
  /// Reads exactly these partitions from these offsets, outside any group management.
  Status Assign(const std::vector<PartitionOffset>& from);

  /// Up to `max` records, waiting up to `wait` for the first; fewer when no more are ready.
  /// Transient cluster errors (a broker down, a leader moving) are logged, not returned:
  /// librdkafka recovers from them. Fatal ones come back.
  Result<std::vector<ConsumedRecord>> Poll(size_t max, std::chrono::milliseconds wait);

  /// Commits `offsets` (next offsets to read) synchronously. A rebalance that took the
  /// partitions away fails it with a retriable error: their next owner reads them again.
  Status Commit(const std::vector<PartitionOffset>& offsets);
  /// This consumer's read position in each partition it is assigned (-1001: none yet).
  Result<std::vector<PartitionOffset>> Positions() const;
  /// The partitions currently assigned to this member.
  Result<std::vector<PartitionOffset>> Assignment() const;
  /// The group's committed offsets for the partitions in `of` (offset ignored); partitions
  /// without a commit come back with offset -1001.
  Result<std::vector<PartitionOffset>> Committed(const std::vector<PartitionOffset>& of,
                                                 std::chrono::milliseconds timeout) const;

  /// Makes a blocked Poll return promptly.
  void Wakeup();
  /// Leaves the group (its partitions move to the other members at once). Idempotent.
  Status Close();

 private:
  KafkaConsumer() = default;
  void* rk_ = nullptr;     // rd_kafka_t*
  void* queue_ = nullptr;  // rd_kafka_queue_t*: the consumer queue
  bool closed_ = false;
  bool grouped_ = false;  ///< a group_id was given
  std::string where_;
};

}  // namespace rivven::kafka
