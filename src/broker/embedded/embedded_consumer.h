#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.h"

namespace rivven::embedded {

class BrokerCore;
class PartitionReader;

/// Consumer of the embedded broker: one group member reading every partition of its topics
/// (the embedded broker runs one process, so there is no rebalancing). Each partition starts at
/// the group's committed offset, or at the earliest stored offset without one. Poll takes records
/// round-robin across partitions (each gets a fair share before any gets more) and sleeps on the
/// broker's condition variable when nothing is durable yet: an idle consumer uses no CPU.
///
/// One per sink task; Poll/Commit/Positions from that task's thread, Wakeup from any thread.
/// May outlive the broker (then Poll returns Cancelled).
class EmbeddedConsumer final : public Consumer {
 public:
  static Result<std::unique_ptr<EmbeddedConsumer>> Create(std::shared_ptr<BrokerCore> core,
                                                          const std::string& group,
                                                          const std::vector<std::string>& topics);
  ~EmbeddedConsumer() override;

  Result<std::vector<ConsumedRecord>> Poll(size_t max_records,
                                           std::chrono::milliseconds max_wait) override;
  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override;
  std::vector<TopicPartitionOffset> Positions() const override;
  void Wakeup() override;
  /// Keeps up to kMaxSpare records (values up to 64 KiB) to decode the next records into.
  void Recycle(std::vector<ConsumedRecord>& spent) override;

 private:
  EmbeddedConsumer(std::shared_ptr<BrokerCore> core, std::string group);
  Status ReadRound(size_t max_records, std::vector<ConsumedRecord>* out);
  bool AnyData() const;

  std::shared_ptr<BrokerCore> core_;
  const std::string group_;
  std::vector<std::unique_ptr<PartitionReader>> readers_;
  size_t next_first_ = 0;  ///< the partition that reads first in the next Poll
  std::atomic<bool> wakeup_{false};
  std::vector<ConsumedRecord> spare_;  ///< records given back, reused by the next Poll
};

}  // namespace rivven::embedded
