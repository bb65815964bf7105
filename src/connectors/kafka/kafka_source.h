#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/kafka/kafka_consumer.h"
#include "config/schema.h"
#include "connectors/connector.h"

namespace rivven {

class Registry;

/// Registers the "kafka" source (descriptor, schema, factory, check, discover).
void RegisterKafkaSource(Registry& registry);

namespace kafka {

struct KafkaSourceConfig {
  ClientConfig client;
  std::vector<std::string> topics;  ///< names; an entry starting with '^' is a regex
  std::string group_id;             ///< default rivven-connect-<source name>
  std::string start_position = "earliest";  ///< where a partition without a commit starts
  bool read_committed = true;
  bool keep_topic = false;  ///< each record goes to a topic named like the one it came from
};

config::Schema KafkaSourceSchema();
Result<KafkaSourceConfig> KafkaSourceConfigFromBound(const config::BoundConfig& bound,
                                                     const std::string& source_name);

/// Reads topics of a Kafka cluster as a member of a consumer group, keeping each record's key,
/// value, headers and timestamp (and, with keep_topic, its topic name). The group's offsets
/// are committed only when the runner acknowledges a position, i.e. after the records before
/// it are stored in the pipeline's broker and the position checkpointed: at-least-once. The
/// group's committed offsets decide where a restart resumes; the position ({"offsets":
/// {"topic/partition": next}}) records them for inspection. Several processes with the same
/// group share the partitions.
///
/// Owned by the source runner; Open/Poll/Acknowledge/Close come from its thread.
class KafkaSource final : public Source {
 public:
  explicit KafkaSource(KafkaSourceConfig config) : config_(std::move(config)) {}

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Acknowledge(const std::string& position) override;
  Status Close() override;

 private:
  std::string PositionText() const;

  KafkaSourceConfig config_;
  std::unique_ptr<KafkaConsumer> consumer_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_;  ///< next offset per partition
  /// Positions handed out and not yet acknowledged, with the offsets they stand for.
  std::deque<std::pair<std::string, std::vector<PartitionOffset>>> unacknowledged_;
};

}  // namespace kafka
}  // namespace rivven
