#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

// What every Kafka client of rivven-connect is told, turned into librdkafka properties. Pure:
// no librdkafka header, unit-tested for the parts the test broker cannot exercise (TLS, SASL).
namespace rivven::kafka {

/// Kafka's security.protocol.
enum class SecurityProtocol { kPlaintext, kSsl, kSaslPlaintext, kSaslSsl };

/// Parses PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL (case-insensitive); the error names the value
/// and the choices.
Result<SecurityProtocol> ParseSecurityProtocol(std::string_view text);
const char* SecurityProtocolName(SecurityProtocol p);

/// librdkafka properties as (name, value) pairs, in the order they are set.
using Properties = std::vector<std::pair<std::string, std::string>>;

/// How to reach and authenticate to a Kafka-protocol cluster.
struct ClientConfig {
  std::vector<std::string> bootstrap_servers;  ///< host:port; tried in turn (failover)
  int64_t metadata_refresh_ms = 300000;
  int64_t connection_timeout_ms = 10000;  ///< per connection attempt
  int64_t request_timeout_ms = 30000;     ///< per request
  /// Unset protocol: SSL when tls.enabled, SASL_* when sasl.mechanism is set, else PLAINTEXT.
  bool protocol_set = false;
  SecurityProtocol protocol = SecurityProtocol::kPlaintext;
  struct Tls {
    bool enabled = false;
    std::string ca_path;    ///< PEM bundle; empty: the system's trust store
    std::string cert_path;  ///< client certificate (PEM), with key_path
    std::string key_path;
  } tls;
  struct Sasl {
    std::string mechanism;  ///< PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: no SASL
    std::string username;
    std::string password;
  } sasl;
  std::string client_id = "rivven-connect";
  /// Raw librdkafka properties, set last (they win); `extra_where` names them in errors, e.g.
  /// "broker.librdkafka".
  Properties extra;
  std::string extra_where = "librdkafka";
};

/// The effective security protocol of `c` (see ClientConfig::protocol_set).
SecurityProtocol EffectiveProtocol(const ClientConfig& c);

/// The librdkafka properties for `c`: bootstrap.servers, client.id, the timeouts
/// (topic.metadata.refresh.interval.ms, socket.connection.setup.timeout.ms, socket.timeout.ms),
/// security.protocol, ssl.* (certificate verification and host-name checking stay on),
/// sasl.*, then `extra`. InvalidArgument, naming the setting, for: no servers, a server without
/// a port, an unknown SASL mechanism, SASL without a user name, a SASL_* protocol without a
/// mechanism, a client certificate without its key (or the reverse), a TLS file that does not
/// exist.
Result<Properties> ClientProperties(const ClientConfig& c);

/// What turns the check of the brokers' certificates or host names off for `c`, e.g.
/// "broker.librdkafka.enable.ssl.certificate.verification is false" (a raw property of `extra`,
/// the only way to turn it off); "" when TLS is off or fully verified.
std::string TlsVerificationOff(const ClientConfig& c);

/// A property list with secret values (sasl.password, ssl.key.password, any *password* or
/// *secret* key) replaced by "***", for logs and errors.
Properties Redacted(const Properties& props);

}  // namespace rivven::kafka
