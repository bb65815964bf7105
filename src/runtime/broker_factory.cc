#include "runtime/broker_factory.h"

#include "broker/embedded/embedded_broker.h"

namespace rivven {

Result<std::unique_ptr<Broker>> OpenBroker(const config::BrokerConfig& config) {
  if (!config.embedded()) {
    return Status::FailedPrecondition(
        "broker.bootstrap_servers is set, but this build of rivven-connect has no Kafka "
        "backend yet; remove broker.bootstrap_servers to use the embedded broker");
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
