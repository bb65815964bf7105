#pragma once

#include "base/status.h"
#include "clients/kafka/kafka_config.h"
#include "config/schema.h"

// The connection keys shared by the kafka sink and the kafka source, declared once.
namespace rivven::kafka {

/// Adds bootstrap_servers, connection_timeout_ms, request_timeout_ms, security {protocol,
/// mechanism, username, password}, tls {ca_path, cert_path, key_path} and librdkafka.
void AddConnectionKeys(config::Schema& schema);

/// Reads them back; the error names the key (e.g. "sinks.k.config.security.protocol").
Result<ClientConfig> ConnectionFromBound(const config::BoundConfig& bound);

}  // namespace rivven::kafka
