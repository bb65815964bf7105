#include "clients/kafka/kafka_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "base/ascii.h"

namespace rivven::kafka {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}


Status CheckFile(const std::string& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(std::string(what) + " '" + path + "' is not a readable file");
  }
  return Status::Ok();
}

Status CheckServer(const std::string& server) {
  // host:port, [v6]:port; librdkafka would default a missing port to 9092, which hides typos
  // such as a port put in the wrong key.
  const size_t colon = server.rfind(':');
  const bool bracketed = !server.empty() && server.front() == '[';
  if (server.empty() || colon == std::string::npos || colon + 1 == server.size() ||
      (bracketed && server[colon - 1] != ']')) {
    return Status::InvalidArgument("bootstrap server '" + server + "' is not host:port");
  }
  for (size_t i = colon + 1; i < server.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(server[i]))) {
      return Status::InvalidArgument("bootstrap server '" + server + "' has a port that is not a number");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SecurityProtocol> ParseSecurityProtocol(std::string_view text) {
  const std::string u = Upper(text);
  if (u == "PLAINTEXT") return SecurityProtocol::kPlaintext;
  if (u == "SSL") return SecurityProtocol::kSsl;
  if (u == "SASL_PLAINTEXT") return SecurityProtocol::kSaslPlaintext;
  if (u == "SASL_SSL") return SecurityProtocol::kSaslSsl;
  return Status::InvalidArgument("security protocol '" + std::string(text) +
                                 "' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
}

const char* SecurityProtocolName(SecurityProtocol p) {
  switch (p) {
    case SecurityProtocol::kPlaintext: return "PLAINTEXT";
    case SecurityProtocol::kSsl: return "SSL";
    case SecurityProtocol::kSaslPlaintext: return "SASL_PLAINTEXT";
    case SecurityProtocol::kSaslSsl: return "SASL_SSL";
  }
  return "PLAINTEXT";
}

SecurityProtocol EffectiveProtocol(const ClientConfig& c) {
  if (c.protocol_set) return c.protocol;
  const bool sasl = !c.sasl.mechanism.empty();
  if (c.tls.enabled) return sasl ? SecurityProtocol::kSaslSsl : SecurityProtocol::kSsl;
  return sasl ? SecurityProtocol::kSaslPlaintext : SecurityProtocol::kPlaintext;
}

Result<Properties> ClientProperties(const ClientConfig& c) {
  if (c.bootstrap_servers.empty()) {
    return Status::InvalidArgument("no bootstrap servers: give at least one host:port");
  }
  std::string servers;
  for (const std::string& s : c.bootstrap_servers) {
    RC_RETURN_IF_ERROR(CheckServer(s));
    if (!servers.empty()) servers += ',';
    servers += s;
  }
  Properties p;
  p.emplace_back("bootstrap.servers", servers);
  p.emplace_back("client.id", c.client_id);
  p.emplace_back("topic.metadata.refresh.interval.ms", std::to_string(c.metadata_refresh_ms));
  p.emplace_back("socket.connection.setup.timeout.ms", std::to_string(c.connection_timeout_ms));
  p.emplace_back("socket.timeout.ms", std::to_string(c.request_timeout_ms));

  const SecurityProtocol protocol = EffectiveProtocol(c);
  p.emplace_back("security.protocol", AsciiLower(SecurityProtocolName(protocol)));
  const bool tls = protocol == SecurityProtocol::kSsl || protocol == SecurityProtocol::kSaslSsl;
  const bool sasl =
      protocol == SecurityProtocol::kSaslPlaintext || protocol == SecurityProtocol::kSaslSsl;
  if (tls) {
    if (!c.tls.ca_path.empty()) {
      RC_RETURN_IF_ERROR(CheckFile(c.tls.ca_path, "TLS CA file"));
      p.emplace_back("ssl.ca.location", c.tls.ca_path);
    }
    if (c.tls.cert_path.empty() != c.tls.key_path.empty()) {
      return Status::InvalidArgument(
          "a TLS client certificate needs both cert_path and key_path (only " +
          std::string(c.tls.cert_path.empty() ? "key_path" : "cert_path") + " is set)");
    }
    if (!c.tls.cert_path.empty()) {
      RC_RETURN_IF_ERROR(CheckFile(c.tls.cert_path, "TLS client certificate"));
      RC_RETURN_IF_ERROR(CheckFile(c.tls.key_path, "TLS client key"));
      p.emplace_back("ssl.certificate.location", c.tls.cert_path);
      p.emplace_back("ssl.key.location", c.tls.key_path);
    }
    p.emplace_back("enable.ssl.certificate.verification", "true");
    p.emplace_back("ssl.endpoint.identification.algorithm", "https");
  }
  if (sasl) {
    if (c.sasl.mechanism.empty()) {
      return Status::InvalidArgument(std::string("security protocol ") +
                                     SecurityProtocolName(protocol) +
                                     " needs a SASL mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)");
    }
    const std::string mechanism = Upper(c.sasl.mechanism);
    if (mechanism != "PLAIN" && mechanism != "SCRAM-SHA-256" && mechanism != "SCRAM-SHA-512") {
      return Status::InvalidArgument("SASL mechanism '" + c.sasl.mechanism +
                                     "' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
    }
    if (c.sasl.username.empty()) {
      return Status::InvalidArgument("SASL mechanism " + mechanism + " needs a username");
    }
    p.emplace_back("sasl.mechanisms", mechanism);
    p.emplace_back("sasl.username", c.sasl.username);
    p.emplace_back("sasl.password", c.sasl.password);
  } else if (!c.sasl.mechanism.empty()) {
    return Status::InvalidArgument(std::string("a SASL mechanism is set but the security protocol is ") +
                                   SecurityProtocolName(protocol) +
                                   "; use SASL_PLAINTEXT or SASL_SSL");
  }
  for (const auto& [k, v] : c.extra) p.emplace_back(k, v);
  return p;
}

std::string TlsVerificationOff(const ClientConfig& c) {
  const SecurityProtocol protocol = EffectiveProtocol(c);
  if (protocol != SecurityProtocol::kSsl && protocol != SecurityProtocol::kSaslSsl) return "";
  std::string off;
  for (const auto& [k, v] : c.extra) {
    const std::string value = AsciiLower(v);
    if (k == "enable.ssl.certificate.verification" && (value == "false" || value == "0")) {
      off = c.extra_where + "." + k + " is " + v;
    } else if (k == "ssl.endpoint.identification.algorithm" && value == "none") {
      if (off.empty()) off = c.extra_where + "." + k + " is " + v;
    }
  }
  return off;
}

Properties Redacted(const Properties& props) {
  Properties out = props;
  for (auto& [k, v] : out) {
    const std::string key = AsciiLower(k);
    if (key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
        key == "sasl.oauthbearer.config" || key == "ssl.key.pem") {
      v = "***";
    }
  }
  return out;
}

}  // namespace rivven::kafka
