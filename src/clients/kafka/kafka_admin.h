#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/kafka/kafka_config.h"

namespace rivven::kafka {

struct PartitionMetadata {
  int32_t id = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
};

struct TopicMetadata {
  std::string name;
  std::vector<PartitionMetadata> partitions;
};

/// What to create: partitions, replication factor and topic configs (e.g. cleanup.policy).
struct NewTopic {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = 1;
  Properties configs;
};

/// Cluster metadata and the Admin API (CreateTopics, DescribeConfigs).
///
/// Thread-safe (librdkafka's calls are).
class KafkaAdmin {
 public:
  static Result<std::unique_ptr<KafkaAdmin>> Create(const ClientConfig& client);
  ~KafkaAdmin();
  KafkaAdmin(const KafkaAdmin&) = delete;
  KafkaAdmin& operator=(const KafkaAdmin&) = delete;

  /// Every topic of the cluster (internal ones such as __consumer_offsets included).
  Result<std::vector<TopicMetadata>> Topics(std::chrono::milliseconds timeout) const;
  /// One topic; NotFound when the cluster does not have it.
  Result<TopicMetadata> Topic(const std::string& name, std::chrono::milliseconds timeout) const;
  /// Creates a topic; AlreadyExists when it exists. A cluster without the Admin API (such as
  /// librdkafka's mock cluster) answers with an "unsupported" error.
  Status CreateTopic(const NewTopic& topic, std::chrono::milliseconds timeout) const;
  /// The topic's configuration entries (name, value) as the cluster reports them.
  Result<Properties> TopicConfig(const std::string& name, std::chrono::milliseconds timeout) const;
  /// First stored offset and next offset to be written of a partition.
  Result<std::pair<int64_t, int64_t>> Watermarks(const std::string& topic, int32_t partition,
                                                 std::chrono::milliseconds timeout) const;

  const std::string& where() const { return where_; }

 private:
  KafkaAdmin() = default;
  void* rk_ = nullptr;  // rd_kafka_t* (a producer handle, used only for requests)
  std::string where_;
};

}  // namespace rivven::kafka
