#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
#include "broker/broker.h"
#include "clients/kafka/kafka_config.h"
#include "clients/kafka/kafka_consumer.h"

namespace rivven {

/// Kafka's group membership decides which process runs a source, as Kafka Connect's workers
/// share connectors: every process joins the consumer group "rivven-connect-source-<name>"
/// subscribed to the checkpoint topic, and the member assigned the checkpoint partition of the
/// source's key (the one its positions go to) holds the lease. A process that stops leaves the
/// group at once; one that dies is dropped after the group's session timeout; either way the
/// partition, and with it the lease, moves to a live member, which resumes from the last
/// checkpoint. The cooperative-sticky assignor keeps a held lease where it is while others join.
///
/// A thread of its own polls the group (which keeps the membership alive) every 100 ms; the
/// records it fetches are ignored and nothing is committed.
class KafkaSourceLease final : public SourceLease {
 public:
  static Result<std::unique_ptr<KafkaSourceLease>> Acquire(const kafka::ClientConfig& client,
                                                           const std::string& checkpoint_topic,
                                                           int32_t partition,
                                                           const std::string& source,
                                                           int64_t session_timeout_ms);
  ~KafkaSourceLease() override;

  bool Held() const override { return held_.load(std::memory_order_acquire); }

 private:
  KafkaSourceLease() = default;
  void Run(std::stop_token stop);

  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::string topic_;
  int32_t partition_ = 0;
  std::string source_;
  std::atomic<bool> held_{false};
  std::jthread thread_;
};

}  // namespace rivven
