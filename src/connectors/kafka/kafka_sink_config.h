#pragma once

#include <string>

#include "base/status.h"
#include "clients/kafka/kafka_config.h"
#include "clients/kafka/kafka_producer.h"
#include "config/schema.h"

namespace rivven::kafka {

/// The typed `config:` block of the kafka sink.
struct KafkaSinkConfig {
  ClientConfig client;
  ProducerOptions producer;
  /// Empty: each record goes to the topic it was read from.
  std::string target_topic;
  /// Write each flushed batch in one transaction, together with the sink's progress, so that a
  /// replay after a crash writes nothing twice (see kafka_sink.h).
  bool exactly_once = false;
  /// The compacted topic of the destination cluster where an exactly-once sink keeps its
  /// progress.
  std::string progress_topic = "_rivven-connect-sink-progress";
  int64_t transaction_timeout_ms = 60000;
};

config::Schema KafkaSinkSchema();

/// Reads a config bound against KafkaSinkSchema(); `sink_name` makes the transactional id
/// ("rivven-connect-<sink_name>") unless the config names one.
Result<KafkaSinkConfig> KafkaSinkConfigFromBound(const config::BoundConfig& bound,
                                                 const std::string& sink_name);

}  // namespace rivven::kafka
