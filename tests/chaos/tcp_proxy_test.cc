// The proxy the chaos scenarios cut connections with: it forwards, cuts open connections,
// refuses and black-holes new ones, and delays what passes.
#include <httplib.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_test_server.h"
#include "support/process.h"
#include "support/tcp_proxy.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class TcpProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    server_.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(2s);
      res.set_content("late", "text/plain");
    });
    std::string error;
    proxy_ = TcpProxy::Start(server_.port(), &error);
    ASSERT_NE(proxy_, nullptr) << error;
  }

  httplib::Client Client(std::chrono::seconds timeout = 5s) {
    httplib::Client c("127.0.0.1", proxy_->port());
    c.set_connection_timeout(timeout);
    c.set_read_timeout(timeout);
    return c;
  }

  HttpTestServer server_;
  std::unique_ptr<TcpProxy> proxy_;
};

TEST_F(TcpProxyTest, ForwardsBothWays) {
  auto c = Client();
  auto r = c.Get("/hello");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(proxy_->accepted(), 1);
}

TEST_F(TcpProxyTest, CutAllResetsAnOpenConnectionMidRequest) {
  bool completed = true;
  std::thread t([&] {
    auto c = Client();
    completed = static_cast<bool>(c.Get("/slow"));
  });
  ASSERT_TRUE([&] {
    for (int i = 0; i < 100 && proxy_->accepted() == 0; ++i) std::this_thread::sleep_for(10ms);
    return proxy_->accepted() == 1;
  }());
  std::this_thread::sleep_for(200ms);  // the request is upstream now
  const auto cut_at = Clock::now();
  EXPECT_EQ(proxy_->CutAll(), 1);
  t.join();
  EXPECT_FALSE(completed) << "the request completed through a cut connection";
  EXPECT_LT(Clock::now() - cut_at, 1s) << "the client did not see the cut at once";
  EXPECT_EQ(proxy_->cut(), 1);
  auto again = Client().Get("/hello");  // new connections still go through
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "hello");
}

TEST_F(TcpProxyTest, RefuseResetsNewConnectionsUntilForwardingAgain) {
  proxy_->SetMode(TcpProxy::Mode::kRefuse);
  auto refused = Client().Get("/hello");
  EXPECT_FALSE(refused);
  proxy_->SetMode(TcpProxy::Mode::kForward);
  auto ok = Client().Get("/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "hello");
}

TEST_F(TcpProxyTest, BlackHoleLetsTheClientTimeOut) {
  proxy_->SetMode(TcpProxy::Mode::kBlackHole);
  const auto start = Clock::now();
  auto r = Client(1s).Get("/hello");
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error(), httplib::Error::Read);
  EXPECT_GE(Clock::now() - start, 900ms);
  EXPECT_EQ(proxy_->CutAll(), 1);  // the held connection is released
}

TEST_F(TcpProxyTest, LatencyDelaysEachExchange) {
  proxy_->SetLatency(300ms);
  const auto start = Clock::now();
  auto r = Client().Get("/hello");
  ASSERT_TRUE(r);
  EXPECT_GE(Clock::now() - start, 600ms);  // once on the way there, once on the way back
}

TEST_F(TcpProxyTest, AServerThatIsDownLooksLikeAResetConnection) {
  std::string error;
  auto nowhere = TcpProxy::Start(UnusedLoopbackPort(), &error);
  ASSERT_NE(nowhere, nullptr) << error;
  httplib::Client c("127.0.0.1", nowhere->port());
  c.set_read_timeout(2s);
  const auto start = Clock::now();
  EXPECT_FALSE(c.Get("/hello"));
  EXPECT_LT(Clock::now() - start, 1s);
}

}  // namespace
}  // namespace rivven::testing
