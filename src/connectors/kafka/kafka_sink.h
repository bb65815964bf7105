#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_producer.h"
#include "connectors/connector.h"
#include "connectors/kafka/kafka_sink_config.h"

namespace rivven {

class Registry;

/// Registers the "kafka" sink (descriptor, schema, factory, check).
void RegisterKafkaSink(Registry& registry);

namespace kafka {

/// Writes records to a Kafka cluster: to `target_topic` or the topic each came from, with its
/// key (murmur2 partitioning, as Java's producer), value, headers and timestamp. Flush returns
/// once the cluster acknowledged every record (acks).
///
/// exactly_once: each flushed batch is one Kafka transaction that also writes, per source
/// topic and partition, the next offset the batch covers to `progress_topic` (key
/// "<transactional id>|<topic>|<partition>"). Open fences any older producer with the same
/// transactional id (aborting its open transaction) and reads that progress; records below it
/// are skipped. So a replay after a crash between the transaction's commit and the consumer
/// group's commit writes nothing twice, and a failed batch is aborted and replayed whole:
/// read_committed consumers see every record exactly once.
///
/// Owned by the sink runner; all calls come from its thread.
class KafkaSink final : public Sink {
 public:
  explicit KafkaSink(KafkaSinkConfig config);

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

 private:
  using SourcePartition = std::pair<std::string, int32_t>;
  std::string ProgressKey(const SourcePartition& p) const;
  Status LoadProgress();

  KafkaSinkConfig config_;
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<KafkaAdmin> admin_;           ///< exactly_once only
  std::map<SourcePartition, int64_t> done_;     ///< committed: next source offset to write
  std::map<SourcePartition, int64_t> pending_;  ///< in the open transaction
  bool in_transaction_ = false;
};

}  // namespace kafka
}  // namespace rivven
