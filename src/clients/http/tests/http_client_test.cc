// The libcurl client against a cpp-httplib server on loopback.
#include "clients/http/http_client.h"

#include <httplib.h>

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

namespace rivven::http {
namespace {

using namespace std::chrono_literals;

using TestServer = rivven::testing::HttpTestServer;

TEST(HttpClientTest, RequestsShareOneKeptConnection) {
  std::mutex mu;
  std::set<int> ports;
  std::string last_body, last_header;
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/in", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    ports.insert(req.remote_port);
    last_body = req.body;
    last_header = req.get_header_value("X-Test");
    res.set_header("Retry-After", "7");
    res.set_content("{\"ok\":true}", "application/json");
  });
  auto c = HttpClient::Create({});
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 20; ++i) {
    Request r;
    r.method = "POST";
    r.url = s.Url("/in");
    r.headers = {{"X-Test", "v" + std::to_string(i)}, {"Content-Type", "application/json"}};
    r.body = "{\"n\":" + std::to_string(i) + "}";
    auto resp = (*c)->Send(r);
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    EXPECT_EQ(resp->status, 200);
    EXPECT_EQ(resp->body, "{\"ok\":true}");
    EXPECT_EQ(resp->Header("retry-after"), "7");
    EXPECT_EQ(resp->Header("Retry-After"), "7");
  }
  EXPECT_EQ(last_body, "{\"n\":19}");
  EXPECT_EQ(last_header, "v19");
  EXPECT_EQ(ports.size(), 1u);
  EXPECT_EQ((*c)->connections_opened(), 1u);
}

TEST(HttpClientTest, AResponseOverTheBodyLimitFailsClearlyAndTheClientGoesOn) {
  TestServer s;
  s.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(300000, 'b'), "text/plain");
  });
  s.server().Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(1000, 's'), "text/plain");
  });
  ClientOptions options;
  options.max_response_bytes = 100000;
  auto c = HttpClient::Create(options);
  ASSERT_TRUE(c.ok());
  Request big;
  big.url = s.Url("/big?token=secret");
  auto over = (*c)->Send(big);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(over.status().message(),
            "GET " + s.Url("/big") +
                ": the response body is larger than 100000 bytes, the most one response may hold");
  Request small;
  small.url = s.Url("/small");
  auto ok = (*c)->Send(small);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->body.size(), 1000u);
}

TEST(HttpClientTest, ErrorStatusesAreResponsesAndTransportFailuresAreStatuses) {
  TestServer s;
  s.server().Get("/boom", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("down", "text/plain");
  });
  s.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(1500ms);
    res.set_content("late", "text/plain");
  });
  auto c = HttpClient::Create({});
  Request boom;
  boom.url = s.Url("/boom");
  auto r = (*c)->Send(boom);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);

  Request slow;
  slow.url = s.Url("/slow?token=secret");
  slow.timeout = 300ms;
  auto t = (*c)->Send(slow);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kTimeout);
  EXPECT_TRUE(t.status().retriable());
  EXPECT_EQ(t.status().message().find("secret"), std::string::npos) << t.status().message();

  Request refused;
  refused.url = "http://127.0.0.1:1/x";
  auto f = (*c)->Send(refused);
  ASSERT_FALSE(f.ok());
  EXPECT_TRUE(f.status().retriable()) << f.status().ToString();

  Request bad;
  bad.url = "ftp://127.0.0.1/x";
  auto b = (*c)->Send(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_FALSE(b.status().retriable());
}

TEST(HttpClientTest, UrlsLoseQueriesAndCredentialsInMessages) {
  EXPECT_EQ(RedactedUrl("https://user:pw@api.example.com/a/b?key=1#f"), "https://api.example.com/a/b");
  EXPECT_EQ(RedactedUrl("http://host:80/path"), "http://host:80/path");
  EXPECT_EQ(RedactedUrl("http://host/p@x"), "http://host/p@x");
}

TEST(HttpClientTest, TlsVerificationFailuresSayWhichCheckFailed) {
  EXPECT_EQ(DescribeTlsVerificationFailure(
                "SSL: no alternative certificate subject name matches target host name "
                "'127.0.0.1'"),
            "TLS host name mismatch (SSL: no alternative certificate subject name matches "
            "target host name '127.0.0.1')");
  EXPECT_EQ(DescribeTlsVerificationFailure(
                "SSL certificate problem: unable to get local issuer certificate"),
            "TLS certificate verify failed (SSL certificate problem: unable to get local issuer "
            "certificate)");
  EXPECT_EQ(DescribeTlsVerificationFailure(""),
            "TLS certificate verify failed (no detail from libcurl)");
}

TEST(HttpClientTest, AnUnreadableCaFileIsRefusedNamingIt) {
  ClientOptions o;
  o.ca_path = "/nonexistent/rivven-ca.pem";
  auto c = HttpClient::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "TLS CA file /nonexistent/rivven-ca.pem cannot be read: No such file or directory");
}

}  // namespace
}  // namespace rivven::http
