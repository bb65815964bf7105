// HttpClient (clients/http) over TLS against an HTTPS server with certificates from a throwaway
// CA: trusted through ca_path, refused without it, with an unrelated CA or for a host name the
// certificate does not name, and the opt-out that warns once per owner.
#include <httplib.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "clients/http/http_client.h"
#include "support/https_test_server.h"
#include "support/test_ca_suite.h"

namespace rivven::testing {
namespace {

class HttpClientTlsTest : public TestCaSuite {
 protected:
  static void Serve(HttpsTestServer& server) {
    server.server().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("fine", "text/plain");
    });
  }
  static Result<http::Response> Get(const http::ClientOptions& options, const std::string& url) {
    auto client = http::HttpClient::Create(options);
    if (!client.ok()) return client.status();
    http::Request r;
    r.url = url;
    r.timeout = std::chrono::milliseconds(10000);
    return (*client)->Send(r);
  }
};

TEST_F(HttpClientTlsTest, TheCustomCaIsTrustedForBothNamesOfTheServer) {
  HttpsTestServer server(*ca_);
  Serve(server);
  http::ClientOptions o;
  o.ca_path = ca_->ca_path();
  for (const std::string& url : {server.Url("/ok"), server.UrlFor("localhost", "/ok")}) {
    auto r = Get(o, url);
    ASSERT_TRUE(r.ok()) << url << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "fine");
  }
}

TEST_F(HttpClientTlsTest, VerificationIsOnByDefault) {
  HttpsTestServer server(*ca_);
  Serve(server);
  auto r = Get({}, server.Url("/ok?token=secret"));  // the system's trust store only
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().retriable());
  EXPECT_EQ(r.status().message(),
            "GET " + server.Url("/ok") +
                ": TLS certificate verify failed (SSL certificate problem: unable to get local "
                "issuer certificate)");
}

TEST_F(HttpClientTlsTest, AnUnrelatedCaFailsNamingTheUrlAndTheReason) {
  HttpsTestServer server(*ca_);
  Serve(server);
  http::ClientOptions o;
  o.ca_path = ca_->other_ca_path();
  auto r = Get(o, server.Url("/ok"));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().retriable());
  EXPECT_EQ(r.status().message(),
            "GET " + server.Url("/ok") +
                ": TLS certificate verify failed (SSL certificate problem: unable to get local "
                "issuer certificate)");
}

TEST_F(HttpClientTlsTest, AHostNameOutsideTheCertificateFailsNamingTheUrlAndTheReason) {
  HttpsTestServer server(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path());
  Serve(server);
  http::ClientOptions o;
  o.ca_path = ca_->ca_path();
  auto r = Get(o, server.Url("/ok"));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().retriable());
  EXPECT_EQ(r.status().message(),
            "GET " + server.Url("/ok") +
                ": TLS host name mismatch (SSL: no alternative certificate subject name matches "
                "target host name '127.0.0.1')");
}

TEST_F(HttpClientTlsTest, TheOptOutConnectsAnywayAndWarnsOncePerOwner) {
  HttpsTestServer server(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path());
  Serve(server);
  http::ClientOptions o;
  o.verify_tls = false;
  o.owner = "sinks.opt-out-test.config.tls.verify";
  ::testing::internal::CaptureStderr();
  auto first = Get(o, server.Url("/ok"));
  auto second = Get(o, server.Url("/ok"));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "fine");
  const std::string warning =
      "sinks.opt-out-test.config.tls.verify: TLS certificate verification is off, "
      "the server's identity is not checked";
  const size_t at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << "warned twice:\n" << log;
  EXPECT_NE(log.find("WARN"), std::string::npos) << log;
}

}  // namespace
}  // namespace rivven::testing
