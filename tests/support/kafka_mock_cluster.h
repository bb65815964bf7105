#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// librdkafka's mock cluster (rdkafka_mock.h) in this process: real Kafka-protocol listeners on
// loopback ports, for clients in this process and in child processes (rivven-connect, kcat).
// It serves produce, fetch, metadata, consumer groups, offset commits, the idempotent and the
// transactional producer; not the Admin API (CreateTopics, DescribeConfigs), SASL or TLS.
namespace rivven::testing {

class KafkaMockCluster {
 public:
  /// A cluster of `brokers` brokers (ids 1..brokers). Null with `*error` set on failure.
  static std::unique_ptr<KafkaMockCluster> Start(int brokers, std::string* error);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  /// "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstraps() const { return bootstraps_; }
  std::vector<std::string> servers() const;

  /// Creates a topic (the mock's own call; the Admin API is not served). False on failure.
  bool CreateTopic(const std::string& name, int partitions, int replication_factor);
  /// Takes a broker's listener down (connections to it fail) or brings it back.
  bool SetBrokerDown(int32_t broker);
  bool SetBrokerUp(int32_t broker);
  /// Moves a partition's leadership.
  bool SetLeader(const std::string& topic, int32_t partition, int32_t broker);
  /// The next requests of API `api_key` (0 Produce, 1 Fetch, 8 OffsetCommit, ...) fail with
  /// these Kafka error codes, one per request, in order.
  void PushRequestErrors(int16_t api_key, const std::vector<int>& errors);

 private:
  KafkaMockCluster() = default;
  void* rk_ = nullptr;       // rd_kafka_t* that owns the cluster
  void* cluster_ = nullptr;  // rd_kafka_mock_cluster_t*
  std::string bootstraps_;
};

}  // namespace rivven::testing
