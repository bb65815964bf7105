#include "runtime/broker_factory.h"

#include "broker/embedded/embedded_broker.h"
#include "broker/kafka/kafka_broker.h"

namespace rivven {

kafka::ClientConfig KafkaClientConfig(const config::BrokerConfig& config) {
  kafka::ClientConfig c;
  c.bootstrap_servers = config.bootstrap_servers;
  c.metadata_refresh_ms = config.metadata_refresh_ms;
  c.connection_timeout_ms = config.connection_timeout_ms;
  c.request_timeout_ms = config.request_timeout_ms;
  c.tls.enabled = config.tls.enabled;
  c.tls.ca_path = config.tls.ca_path;
  c.tls.cert_path = config.tls.cert_path;
  c.tls.key_path = config.tls.key_path;
  c.sasl.mechanism = config.sasl.mechanism;
  c.sasl.username = config.sasl.username;
  c.sasl.password = config.sasl.password;
  c.extra = config.librdkafka;
  c.extra_where = "broker.librdkafka";
  return c;
}

Result<std::unique_ptr<Broker>> OpenBroker(const config::BrokerConfig& config,
                                           const config::TopicSettings& topics) {
  if (!config.embedded()) {
    KafkaBrokerOptions options;
    options.client = KafkaClientConfig(config);
    options.offsets_topic = config.checkpoint_topic;
    options.offsets_replication_factor = topics.default_replication_factor;
    options.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
    auto broker = OpenKafkaBroker(options);
    if (!broker.ok()) return broker.status().WithContext("broker.bootstrap_servers");
    return broker;
  }
  EmbeddedBrokerOptions options;
  options.data_dir = config.data_dir;
  options.flush_interval_ms = config.flush_interval_ms;
  options.segment_bytes = config.segment_bytes;
  options.page_cache_bytes = config.page_cache_bytes;
  options.retention_ms = config.retention_ms;
  options.retention_bytes = config.retention_bytes;
  RC_ASSIGN_OR_RETURN(auto broker, OpenEmbeddedBroker(options));
  return std::unique_ptr<Broker>(std::move(broker));
}

}  // namespace rivven
