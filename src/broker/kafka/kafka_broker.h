#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/status.h"
#include "broker/broker.h"
#include "clients/kafka/kafka_config.h"

namespace rivven {

struct KafkaBrokerOptions {
  kafka::ClientConfig client;
  /// Source positions, one record per source keyed by its name, in a compacted topic (Kafka
  /// Connect's connect-offsets model). Created on first use when missing.
  std::string offsets_topic = "_rivven-connect-offsets";
  int32_t offsets_partitions = 1;
  int32_t offsets_replication_factor = 1;
  /// How long a process that died keeps its source leases and sink partitions (the consumer
  /// groups' session timeout).
  int64_t session_timeout_ms = 10000;
  /// The deadline of one produce (acknowledged by every in-sync replica) or admin request.
  std::chrono::milliseconds request_timeout{30000};
};

/// Topics on a Kafka-protocol cluster through librdkafka (clients/kafka).
///
/// Producers are idempotent with acks=all: Send returns once every record is acknowledged by
/// the in-sync replicas. Consumers are members of the sink's consumer group and commit only
/// what they are told to. Checkpoints are records of `offsets_topic`; Load reads it to its
/// end, so a source that moved to another process reads the latest position.
Result<std::unique_ptr<Broker>> OpenKafkaBroker(const KafkaBrokerOptions& options);

}  // namespace rivven
