#include "support/https_test_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "support/test_ca.h"

namespace rivven::testing {
namespace {

class HttpsTestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ca_ = TestCa::Make({.client_certificate = true}, &error);
    ASSERT_NE(ca_, nullptr) << error;
  }
  /// GET /hello from `host` trusting `ca_path`; the body or "error: <httplib error>".
  static std::string Get(const std::string& host, int port, const std::string& ca_path) {
    httplib::SSLClient client(host, port);
    client.set_ca_cert_path(ca_path.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    const auto r = client.Get("/hello");
    if (!r) return "error: " + httplib::to_string(r.error());
    return r->body;
  }
  std::unique_ptr<TestCa> ca_;
};

TEST_F(HttpsTestServerTest, ServesTheCertificateForLocalhostAndTheLoopbackAddress) {
  HttpsTestServer server(*ca_);
  server.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  EXPECT_EQ(server.Url("/x"), "https://127.0.0.1:" + std::to_string(server.port()) + "/x");
  EXPECT_EQ(Get("127.0.0.1", server.port(), ca_->ca_path()), "hi");
  EXPECT_EQ(Get("localhost", server.port(), ca_->ca_path()), "hi");
}

TEST_F(HttpsTestServerTest, AnUnrelatedCaIsRefused) {
  HttpsTestServer server(*ca_);
  server.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  EXPECT_EQ(Get("127.0.0.1", server.port(), ca_->other_ca_path()), "error: SSLServerVerification");
}

TEST_F(HttpsTestServerTest, TheWrongHostCertificateIsRefused) {
  HttpsTestServer server(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path());
  server.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  EXPECT_EQ(Get("127.0.0.1", server.port(), ca_->ca_path()), "error: SSLServerVerification");
}

TEST_F(HttpsTestServerTest, IssuedCertificatesAreSignedByTheCa) {
  ASSERT_EQ(ca_->Issue("extra", "DNS:localhost"), "");
  HttpsTestServer server(ca_->dir() + "/extra.crt", ca_->dir() + "/extra.key");
  server.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  EXPECT_EQ(Get("localhost", server.port(), ca_->ca_path()), "hi");
  EXPECT_EQ(Get("127.0.0.1", server.port(), ca_->ca_path()), "error: SSLServerVerification");
}

TEST_F(HttpsTestServerTest, ClientCertificatesAreCheckedWhenAClientCaIsGiven) {
  HttpsTestServer server(ca_->server_cert_path(), ca_->server_key_path(), ca_->ca_path());
  server.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  EXPECT_NE(Get("127.0.0.1", server.port(), ca_->ca_path()), "hi");  // no client certificate
  httplib::SSLClient client("127.0.0.1", server.port(), ca_->client_cert_path(),
                            ca_->client_key_path());
  client.set_ca_cert_path(ca_->ca_path().c_str());
  client.enable_server_certificate_verification(true);
  const auto r = client.Get("/hello");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "hi");
}

}  // namespace
}  // namespace rivven::testing
