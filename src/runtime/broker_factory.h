#pragma once

#include <memory>

#include "base/status.h"
#include "broker/broker.h"
#include "clients/kafka/kafka_config.h"
#include "config/pipeline_config.h"

namespace rivven {

/// Opens the broker a config asks for: the embedded log under `broker.data_dir` when no
/// `bootstrap_servers` are given. Errors name the data dir (e.g. held by another process).
Result<std::unique_ptr<Broker>> OpenBroker(const config::BrokerConfig& config,
                                           const config::TopicSettings& topics);
/// The librdkafka client settings of `broker:` (servers, timeouts, tls, sasl, librdkafka).
kafka::ClientConfig KafkaClientConfig(const config::BrokerConfig& config);

}  // namespace rivven
