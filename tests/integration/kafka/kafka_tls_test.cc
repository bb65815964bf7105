// The Kafka clients over TLS for real: librdkafka's mock cluster cannot listen with TLS, so a
// TLS-terminating proxy (support/kafka_tls_proxy.h) with certificates from a throwaway CA stands
// in front of it and rewrites the advertised broker port to its own, so that every connection
// of the client (bootstrap, the broker from Metadata, the group coordinator) goes through TLS.
#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clients/kafka/kafka_consumer.h"
#include "clients/kafka/kafka_producer.h"
#include "support/kafka_mock_cluster.h"
#include "support/kafka_tls_proxy.h"
#include "support/process.h"
#include "support/test_ca.h"

namespace rivven::kafka {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMockCluster;
using testing::KafkaTlsProxy;
using testing::TestCa;

class KafkaTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ca_ = TestCa::Make({}, &error);
    ASSERT_NE(ca_, nullptr) << error;
    cluster_ = KafkaMockCluster::Start(1, &error);
    ASSERT_NE(cluster_, nullptr) << error;
    ASSERT_TRUE(cluster_->CreateTopic("secure", 1, 1));
  }

  void StartProxy(const std::string& cert, const std::string& key) {
    const std::string broker = cluster_->servers().front();
    std::string error;
    proxy_ =
        KafkaTlsProxy::Start(std::stoi(broker.substr(broker.rfind(':') + 1)), cert, key, &error);
    ASSERT_NE(proxy_, nullptr) << error;
  }

  ClientConfig Tls(const std::string& host, const std::string& ca_path) const {
    ClientConfig c;
    c.bootstrap_servers = {host + ":" + std::to_string(proxy_->port())};
    c.tls.enabled = true;
    c.tls.ca_path = ca_path;
    c.connection_timeout_ms = 5000;
    return c;
  }

  static Record Value(const std::string& v) {
    Record r;
    r.value = v;
    return r;
  }

  /// Produces one record through `client` and flushes: the Flush status and what was logged.
  static std::pair<Status, std::string> ProduceOne(const ClientConfig& client) {
    ProducerOptions o;
    o.delivery_timeout_ms = 4000;
    ::testing::internal::CaptureStderr();
    Status s;
    {
      auto p = KafkaProducer::Create(client, o);
      s = p.ok() ? (*p)->Produce("secure", Value("x")) : p.status();
      if (s.ok()) s = (*p)->Flush(10s);
    }
    return {s, ::testing::internal::GetCapturedStderr()};
  }

  std::unique_ptr<TestCa> ca_;
  std::unique_ptr<KafkaMockCluster> cluster_;
  std::unique_ptr<KafkaTlsProxy> proxy_;
};

TEST_F(KafkaTlsTest, ProducerAndConsumerGroupWorkOverTlsWithTheRightCa) {
  ASSERT_NO_FATAL_FAILURE(StartProxy(ca_->server_cert_path(), ca_->server_key_path()));
  const ClientConfig client = Tls("localhost", ca_->ca_path());
  auto producer = KafkaProducer::Create(client, {});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*producer)->Produce("secure", Value("v" + std::to_string(i))).ok());
  }
  const Status flushed = (*producer)->Flush(20s);
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();

  ConsumerOptions co;
  co.group_id = "tls-group";
  co.session_timeout_ms = 6000;
  auto consumer = KafkaConsumer::Create(client, co);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->Subscribe({"secure"}).ok());
  std::vector<std::string> values;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (values.size() < 20 && std::chrono::steady_clock::now() < until) {
    auto batch = (*consumer)->Poll(20, 200ms);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (const auto& r : *batch) values.push_back(r.record.value.value_or("<null>"));
  }
  ASSERT_EQ(values.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(values[i], "v" + std::to_string(i));

  // Every request went through the proxy over TLS: Metadata (3), Produce (0), FindCoordinator
  // (10), Fetch (1); the advertised plaintext port was replaced by the proxy's.
  const std::vector<int> keys = proxy_->api_keys();
  for (int key : {3, 0, 10, 1}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << "api key " << key;
  }
  EXPECT_GE(proxy_->handshakes(), 2);  // bootstrap and the advertised broker at least
  EXPECT_GE(proxy_->rewritten_addresses(), 2);
  EXPECT_EQ(proxy_->failed_handshakes(), 0);
}

TEST_F(KafkaTlsTest, AnUnrelatedCaFailsNamingTheBrokerAndTheReason) {
  ASSERT_NO_FATAL_FAILURE(StartProxy(ca_->server_cert_path(), ca_->server_key_path()));
  const auto [status, log] = ProduceOne(Tls("localhost", ca_->other_ca_path()));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(log.find("ssl://localhost:" + std::to_string(proxy_->port())), std::string::npos)
      << log;
  EXPECT_NE(log.find("verification callback failed: certificate verify failed: unable to get "
                     "local issuer certificate"),
            std::string::npos)
      << log;
  EXPECT_GE(proxy_->failed_handshakes(), 1);
  EXPECT_EQ(proxy_->requests(), 0);
}

TEST_F(KafkaTlsTest, AHostNameOutsideTheCertificateFailsNamingTheBrokerAndTheReason) {
  ASSERT_NO_FATAL_FAILURE(StartProxy(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path()));
  const auto [status, log] = ProduceOne(Tls("localhost", ca_->ca_path()));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(log.find("ssl://localhost:" + std::to_string(proxy_->port())), std::string::npos)
      << log;
  EXPECT_NE(log.find("Certificate (subject=/CN=wrong-host.invalid, issuer=/CN=rivven test CA) "
                     "verification callback failed: certificate verify failed: hostname mismatch"),
            std::string::npos)
      << log;
  EXPECT_GE(proxy_->failed_handshakes(), 1);
  EXPECT_EQ(proxy_->requests(), 0);
}

// The YAML keys through the binary: the kafka sink's security.protocol SSL + tls.ca_path, and
// broker.tls for a Kafka cluster as the pipeline's broker.
TEST_F(KafkaTlsTest, TheKafkaSinkAndTheKafkaBrokerConnectOverTlsFromYaml) {
  ASSERT_NO_FATAL_FAILURE(StartProxy(ca_->server_cert_path(), ca_->server_key_path()));
  ASSERT_TRUE(cluster_->CreateTopic("orders", 1, 1));
  ASSERT_TRUE(cluster_->CreateTopic("_rivven-connect-offsets", 1, 1));
  const std::string tls_bootstrap = "localhost:" + std::to_string(proxy_->port());
  testing::TempDir dir;
  const auto kcat = [&](const std::string& topic) {
    const auto r = testing::RunProcess({"/usr/bin/kcat", "-b", cluster_->bootstraps(), "-C", "-t",
                                        topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"},
                                       {.timeout = 60s});
    EXPECT_EQ(r.exit_code, 0) << testing::DescribeResult(r);
    return testing::SplitLines(r.out);
  };

  testing::WriteFile(
      dir / "sink.yaml",
      "version: \"1.0\"\n"
      "sources:\n"
      "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 3, "
      "events_per_second: 0, max_events: 100}}\n"
      "sinks:\n"
      "  out:\n"
      "    connector: kafka\n"
      "    topics: [orders]\n"
      "    consumer_group: tls-sink\n"
      "    config:\n"
      "      bootstrap_servers: \"" +
          tls_bootstrap +
          "\"\n"
          "      target_topic: secure\n"
          "      security: {protocol: SSL}\n"
          "      tls: {ca_path: " +
          ca_->ca_path() + "}\n");
  auto sink = testing::RunProcess(
      {testing::BinaryPath(), "run", "-c", dir / "sink.yaml", "--data-dir", dir / "d1"},
      {.timeout = 120s});
  ASSERT_EQ(sink.exit_code, 0) << testing::DescribeResult(sink);
  const auto delivered = kcat("secure");
  EXPECT_EQ(delivered.size(), 100u);
  EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()).size(), 100u);
  const int produce_requests_after_sink = proxy_->requests();
  EXPECT_GT(produce_requests_after_sink, 0);

  testing::WriteFile(
      dir / "broker.yaml",
      "version: \"1.0\"\n"
      "broker:\n"
      "  bootstrap_servers: [\"" +
          tls_bootstrap +
          "\"]\n"
          "  tls: {enabled: true, ca_path: " +
          ca_->ca_path() +
          "}\n"
          "sources:\n"
          "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 4, "
          "events_per_second: 0, max_events: 50}}\n"
          "sinks:\n"
          "  out: {connector: file, topics: [orders], config: {path: " +
          (dir / "out") + "}}\n");
  auto broker = testing::RunProcess(
      {testing::BinaryPath(), "run", "-c", dir / "broker.yaml", "--data-dir", dir / "d2"},
      {.timeout = 120s});
  ASSERT_EQ(broker.exit_code, 0) << testing::DescribeResult(broker);
  EXPECT_EQ(kcat("orders").size(), 50u);  // the pipeline's topic lives on the cluster
  EXPECT_EQ(testing::SplitLines(testing::ReadFile(dir / "out/orders.jsonl")).size(), 50u);
  EXPECT_GT(proxy_->requests(), produce_requests_after_sink);
  EXPECT_EQ(proxy_->failed_handshakes(), 0);
}

}  // namespace
}  // namespace rivven::kafka
