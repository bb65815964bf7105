#include "connectors/kafka/kafka_connection_keys.h"

#include "config/scalars.h"

namespace rivven::kafka {

using config::Key;
using config::ValueType;

void AddConnectionKeys(config::Schema& s) {
  s.Add(Key("bootstrap_servers", ValueType::kStringList,
            "Kafka brokers (host:port), a list or a comma-separated string.")
            .Required());
  s.Add(Key("connection_timeout_ms", ValueType::kInt, "Per-server connection timeout.")
            .Default("10000")
            .Min(1000));
  s.Add(Key("request_timeout_ms", ValueType::kInt, "Per-request deadline.")
            .Default("30000")
            .Min(10)
            .Max(300000));
  s.Add(Key("security", ValueType::kObject, "How to authenticate and encrypt.")
            .Child(Key("protocol", ValueType::kString,
                       "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
                       .Default("PLAINTEXT")
                       .OneOf({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}))
            .Child(Key("mechanism", ValueType::kString,
                       "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
                       .OneOf({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}))
            .Child(Key("username", ValueType::kString, "SASL user name."))
            .Child(Key("password", ValueType::kString, "SASL password.").Secret()));
  s.Add(Key("tls", ValueType::kObject,
            "Certificates for SSL and SASL_SSL (the server is always verified).")
            .Child(Key("ca_path", ValueType::kString,
                       "CA bundle that signs the brokers' certificates (PEM); absent: the "
                       "system's trust store."))
            .Child(Key("cert_path", ValueType::kString, "Client certificate (PEM)."))
            .Child(Key("key_path", ValueType::kString, "Client private key (PEM).")));
  s.Add(Key("librdkafka", ValueType::kStringMap,
            "Raw librdkafka properties, set after everything else."));
}

Result<ClientConfig> ConnectionFromBound(const config::BoundConfig& bound) {
  ClientConfig c;
  // "a:9092,b:9092" and a YAML list mean the same thing, as for broker.bootstrap_servers.
  for (const std::string& item : bound.GetStringList("bootstrap_servers")) {
    for (std::string& server : config::SplitCommaList(item)) c.bootstrap_servers.push_back(server);
  }
  c.connection_timeout_ms = bound.GetInt("connection_timeout_ms");
  c.request_timeout_ms = bound.GetInt("request_timeout_ms");
  const config::BoundConfig security = bound.GetObject("security");
  RC_ASSIGN_OR_RETURN(c.protocol, ParseSecurityProtocol(security.GetString("protocol")));
  c.protocol_set = true;
  c.sasl.mechanism = security.GetString("mechanism");
  c.sasl.username = security.GetString("username");
  c.sasl.password = security.GetString("password");
  const config::BoundConfig tls = bound.GetObject("tls");
  c.tls.enabled = c.protocol == SecurityProtocol::kSsl || c.protocol == SecurityProtocol::kSaslSsl;
  c.tls.ca_path = tls.GetString("ca_path");
  c.tls.cert_path = tls.GetString("cert_path");
  c.tls.key_path = tls.GetString("key_path");
  c.extra = bound.GetStringMap("librdkafka");
  c.extra_where = bound.path() + ".librdkafka";
  // Contradictions (SASL_SSL without a mechanism, a missing CA file, ...) are reported with
  // the key that holds them.
  auto props = ClientProperties(c);
  if (!props.ok()) return props.status().WithContext(bound.path());
  return c;
}

}  // namespace rivven::kafka
