// What librdkafka is told for each broker/sink setting. TLS and SASL cannot be exercised against
// the mock cluster, so the properties handed to librdkafka are checked here, and each is also
// accepted by librdkafka itself (KafkaProducer::Create runs them through rd_kafka_conf_set).
#include "clients/kafka/kafka_config.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_error.h"

namespace rivven::kafka {
namespace {

std::map<std::string, std::string> AsMap(const Properties& p) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : p) m[k] = v;
  return m;
}

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("rivven-kafka-config-" + name)) {
    std::ofstream(path_) << "-----BEGIN CERTIFICATE-----\n";
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

ClientConfig Base() {
  ClientConfig c;
  c.bootstrap_servers = {"b1:9092", "b2:9093"};
  return c;
}

TEST(KafkaConfigTest, ServersAndTimeoutsMapToLibrdkafkaNames) {
  ClientConfig c = Base();
  c.metadata_refresh_ms = 60000;
  c.connection_timeout_ms = 2500;
  c.request_timeout_ms = 12000;
  auto p = ClientProperties(c);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto m = AsMap(*p);
  EXPECT_EQ(m["bootstrap.servers"], "b1:9092,b2:9093");
  EXPECT_EQ(m["topic.metadata.refresh.interval.ms"], "60000");
  EXPECT_EQ(m["socket.connection.setup.timeout.ms"], "2500");
  EXPECT_EQ(m["socket.timeout.ms"], "12000");
  EXPECT_EQ(m["security.protocol"], "plaintext");
  EXPECT_EQ(m.count("ssl.ca.location"), 0u);
  EXPECT_EQ(m.count("sasl.mechanisms"), 0u);
}

TEST(KafkaConfigTest, TlsTurnsOnVerificationWithTheGivenFiles) {
  TempFile ca("ca.pem"), cert("cert.pem"), key("key.pem");
  ClientConfig c = Base();
  c.tls.enabled = true;
  c.tls.ca_path = ca.path();
  c.tls.cert_path = cert.path();
  c.tls.key_path = key.path();
  auto m = AsMap(*ClientProperties(c));
  EXPECT_EQ(m["security.protocol"], "ssl");
  EXPECT_EQ(m["ssl.ca.location"], ca.path());
  EXPECT_EQ(m["ssl.certificate.location"], cert.path());
  EXPECT_EQ(m["ssl.key.location"], key.path());
  EXPECT_EQ(m["enable.ssl.certificate.verification"], "true");
  EXPECT_EQ(m["ssl.endpoint.identification.algorithm"], "https");
}

TEST(KafkaConfigTest, SaslMechanismsAndProtocols) {
  for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256", "scram-sha-512"}) {
    ClientConfig c = Base();
    c.sasl = {mechanism, "alice", "s3cret"};
    auto m = AsMap(*ClientProperties(c));
    EXPECT_EQ(m["security.protocol"], "sasl_plaintext") << mechanism;
    EXPECT_EQ(m["sasl.username"], "alice");
    EXPECT_EQ(m["sasl.password"], "s3cret");
    c.tls.enabled = true;
    EXPECT_EQ(AsMap(*ClientProperties(c))["security.protocol"], "sasl_ssl");
  }
  ClientConfig c = Base();
  c.sasl = {"SCRAM-SHA-512", "bob", "pw"};
  EXPECT_EQ(AsMap(*ClientProperties(c))["sasl.mechanisms"], "SCRAM-SHA-512");
}

TEST(KafkaConfigTest, ContradictionsAndTyposAreErrorsNamingTheSetting) {
  auto error = [](ClientConfig c) {
    auto p = ClientProperties(c);
    EXPECT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    return p.ok() ? std::string() : p.status().message();
  };
  ClientConfig none;
  EXPECT_NE(error(none).find("no bootstrap servers"), std::string::npos);
  ClientConfig no_port = Base();
  no_port.bootstrap_servers = {"kafka"};
  EXPECT_NE(error(no_port).find("'kafka' is not host:port"), std::string::npos);
  ClientConfig bad_port = Base();
  bad_port.bootstrap_servers = {"kafka:90x2"};
  EXPECT_NE(error(bad_port).find("port that is not a number"), std::string::npos);
  ClientConfig gssapi = Base();
  gssapi.sasl = {"GSSAPI", "u", "p"};
  EXPECT_NE(error(gssapi).find("'GSSAPI' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"),
            std::string::npos);
  ClientConfig no_user = Base();
  no_user.sasl = {"PLAIN", "", "p"};
  EXPECT_NE(error(no_user).find("needs a username"), std::string::npos);
  ClientConfig sasl_without_mechanism = Base();
  sasl_without_mechanism.protocol_set = true;
  sasl_without_mechanism.protocol = SecurityProtocol::kSaslSsl;
  EXPECT_NE(error(sasl_without_mechanism).find("SASL_SSL needs a SASL mechanism"),
            std::string::npos);
  ClientConfig mechanism_on_plaintext = Base();
  mechanism_on_plaintext.protocol_set = true;
  mechanism_on_plaintext.protocol = SecurityProtocol::kPlaintext;
  mechanism_on_plaintext.sasl = {"PLAIN", "u", "p"};
  EXPECT_NE(error(mechanism_on_plaintext).find("security protocol is PLAINTEXT"),
            std::string::npos);
  TempFile cert("lonely-cert.pem");
  ClientConfig cert_only = Base();
  cert_only.tls.enabled = true;
  cert_only.tls.cert_path = cert.path();
  EXPECT_NE(error(cert_only).find("needs both cert_path and key_path"), std::string::npos);
  ClientConfig missing_ca = Base();
  missing_ca.tls.enabled = true;
  missing_ca.tls.ca_path = "/nonexistent/ca.pem";
  EXPECT_NE(error(missing_ca).find("TLS CA file '/nonexistent/ca.pem' is not a readable file"),
            std::string::npos);
}

TEST(KafkaConfigTest, ProtocolNamesParseCaseInsensitively) {
  EXPECT_EQ(*ParseSecurityProtocol("sasl_ssl"), SecurityProtocol::kSaslSsl);
  EXPECT_EQ(*ParseSecurityProtocol("PLAINTEXT"), SecurityProtocol::kPlaintext);
  auto bad = ParseSecurityProtocol("TLS");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'TLS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
            std::string::npos);
}

TEST(KafkaConfigTest, RawPropertiesComeLastAndSecretsAreRedacted) {
  ClientConfig c = Base();
  c.sasl = {"PLAIN", "alice", "s3cret"};
  c.extra = {{"socket.timeout.ms", "999"}, {"ssl.key.password", "kp"}};
  auto p = *ClientProperties(c);
  EXPECT_EQ(p.back().first, "ssl.key.password");
  EXPECT_EQ(p[p.size() - 2].second, "999");  // after the managed socket.timeout.ms: it wins
  for (const auto& [k, v] : Redacted(p)) {
    EXPECT_NE(v, "s3cret") << k;
    EXPECT_NE(v, "kp") << k;
  }
}

TEST(KafkaConfigTest, LibrdkafkaRejectsAnUnknownRawPropertyByName) {
  ClientConfig c = Base();
  c.extra = {{"no.such.property", "1"}};
  auto admin = KafkaAdmin::Create(c);
  ASSERT_FALSE(admin.ok());
  EXPECT_NE(admin.status().message().find("no.such.property"), std::string::npos);
  ClientConfig secret = Base();
  secret.extra = {{"sasl.password", "hunter2"}, {"bogus.password", "hunter2"}};
  auto s = KafkaAdmin::Create(secret);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().message();
}

TEST(KafkaConfigTest, TlsAndSaslPropertiesAreAcceptedByLibrdkafka) {
  ClientConfig c = Base();
  c.sasl = {"SCRAM-SHA-256", "alice", "pw"};
  c.tls.enabled = true;  // SASL_SSL, system trust store
  auto admin = KafkaAdmin::Create(c);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
}

TEST(KafkaConfigTest, TurningTlsVerificationOffIsNamedForTheWarning) {
  ClientConfig c = Base();
  c.extra_where = "sinks.k.config.librdkafka";
  c.extra = {{"enable.ssl.certificate.verification", "false"}};
  EXPECT_EQ(TlsVerificationOff(c), "") << "TLS is off: nothing to verify";
  c.tls.enabled = true;
  EXPECT_EQ(TlsVerificationOff(c),
            "sinks.k.config.librdkafka.enable.ssl.certificate.verification is false");
  c.extra = {{"ssl.endpoint.identification.algorithm", "none"}};
  EXPECT_EQ(TlsVerificationOff(c),
            "sinks.k.config.librdkafka.ssl.endpoint.identification.algorithm is none");
  c.extra = {{"linger.ms", "5"}, {"enable.ssl.certificate.verification", "true"}};
  EXPECT_EQ(TlsVerificationOff(c), "");
  c.extra.clear();
  EXPECT_EQ(TlsVerificationOff(c), "") << "verified by default";
  auto p = ClientProperties(c);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(AsMap(*p)["enable.ssl.certificate.verification"], "true");
  EXPECT_EQ(AsMap(*p)["ssl.endpoint.identification.algorithm"], "https");
}

TEST(KafkaErrorTest, ClassificationAndCodeRoundTrip) {
  Status down = ErrorStatus(-187, "producing");  // _ALL_BROKERS_DOWN
  EXPECT_TRUE(down.retriable());
  EXPECT_EQ(ErrorCode(down), -187);
  EXPECT_NE(down.message().find("_ALL_BROKERS_DOWN"), std::string::npos);
  Status auth = ErrorStatus(58, "connecting");  // SASL_AUTHENTICATION_FAILED
  EXPECT_FALSE(auth.retriable());
  EXPECT_EQ(auth.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorStatus(36, "creating").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorStatus(3, "producing").code(), StatusCode::kNotFound);
  EXPECT_TRUE(ErrorStatus(6, "producing").retriable());  // NOT_LEADER_FOR_PARTITION
  EXPECT_EQ(ErrorStatus(7, "producing").code(), StatusCode::kTimeout);
  EXPECT_EQ(ErrorCode(Status::Unavailable("no code here")), 0);
}

}  // namespace
}  // namespace rivven::kafka
