#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "broker/broker.h"
#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_producer.h"

namespace rivven {

/// Source positions as records of a compacted topic: key = the source's name, value = its
/// position (JSON text). Save produces one record and returns once the cluster acknowledged it
/// (acks=all). Load reads the topic from its start to its current end and keeps the last value
/// of the key, so it sees what another process saved before. Thread-safe.
class KafkaCheckpointStore final : public CheckpointStore {
 public:
  KafkaCheckpointStore(kafka::ClientConfig client, const kafka::KafkaAdmin& admin,
                       std::string topic, int32_t partitions, int32_t replication_factor,
                       std::chrono::milliseconds timeout);

  Status Save(const std::string& source, const std::string& position) override;
  Result<std::optional<std::string>> Load(const std::string& source) override;

 private:
  /// Creates the topic (compacted) if the cluster lacks it. Once.
  Status EnsureTopic();

  const kafka::ClientConfig client_;
  const kafka::KafkaAdmin& admin_;
  const std::string topic_;
  const int32_t partitions_, replication_factor_;
  const std::chrono::milliseconds timeout_;
  std::mutex mu_;
  bool topic_ready_ = false;
  std::unique_ptr<kafka::KafkaProducer> producer_;
};

}  // namespace rivven
