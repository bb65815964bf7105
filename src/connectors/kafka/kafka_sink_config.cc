#include "connectors/kafka/kafka_sink_config.h"

#include "connectors/kafka/kafka_connection_keys.h"

namespace rivven::kafka {

using config::Key;
using config::ValueType;

config::Schema KafkaSinkSchema() {
  config::Schema s;
  AddConnectionKeys(s);
  s.Add(Key("target_topic", ValueType::kString,
            "Topic to write to; absent: each record goes to the topic it was read from."));
  s.Add(Key("acks", ValueType::kString,
            "Acknowledgements a write waits for: all (every in-sync replica), 1 (the leader), "
            "0 (none). exactly_once and the idempotent producer need all.")
            .Default("all")
            .OneOf({"all", "-1", "0", "1"}));
  s.Add(Key("compression", ValueType::kString, "Batch compression.")
            .Default("none")
            .OneOf({"none", "gzip", "snappy", "lz4", "zstd"}));
  s.Add(Key("linger_ms", ValueType::kInt, "How long the producer waits to fill a batch.")
            .Default("5")
            .Min(0)
            .Max(900000));
  s.Add(Key("exactly_once", ValueType::kBool,
            "Write each flushed batch in a Kafka transaction together with the sink's progress "
            "(in progress_topic), so a replay after a crash writes nothing twice for "
            "read_committed consumers.")
            .Default("false"));
  s.Add(Key("transactional_id", ValueType::kString,
            "exactly_once: the producer's transactional.id; default rivven-connect-<sink name>. "
            "Two running sinks must never share one."));
  s.Add(Key("progress_topic", ValueType::kString,
            "exactly_once: compacted topic on the destination cluster for the sink's progress.")
            .Default("_rivven-connect-sink-progress"));
  s.Add(Key("transaction_timeout_ms", ValueType::kInt,
            "exactly_once: how long a transaction may stay open.")
            .Default("60000")
            .Min(1000)
            .Max(900000));
  return s;
}

Result<KafkaSinkConfig> KafkaSinkConfigFromBound(const config::BoundConfig& bound,
                                                 const std::string& sink_name) {
  KafkaSinkConfig c;
  RC_ASSIGN_OR_RETURN(c.client, ConnectionFromBound(bound));
  c.target_topic = bound.GetString("target_topic");
  c.producer.acks = bound.GetString("acks");
  c.producer.compression = bound.GetString("compression");
  c.producer.linger_ms = bound.GetInt("linger_ms");
  c.producer.idempotence = c.producer.acks == "all" || c.producer.acks == "-1";
  c.exactly_once = bound.GetBool("exactly_once");
  c.progress_topic = bound.GetString("progress_topic");
  c.transaction_timeout_ms = bound.GetInt("transaction_timeout_ms");
  if (c.exactly_once) {
    if (!c.producer.idempotence) {
      return Status::InvalidArgument(bound.path() + ".exactly_once needs acks: all (acks is " +
                                     c.producer.acks + ")");
    }
    c.producer.transactional_id = bound.GetString("transactional_id");
    if (c.producer.transactional_id.empty()) {
      c.producer.transactional_id = "rivven-connect-" + sink_name;
    }
    c.producer.delivery_timeout_ms = c.transaction_timeout_ms;
  }
  RC_RETURN_IF_ERROR(CheckProducerOptions(c.producer).WithContext(bound.path()));
  return c;
}

}  // namespace rivven::kafka
