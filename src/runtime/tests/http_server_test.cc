// /metrics, /health and /ready served on an ephemeral loopback port, read with a real HTTP
// client.
#include "runtime/http_server.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "runtime/runner_status.h"
#include "support/prometheus_parser.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    ASSERT_GT(port_, 0);
  }

  /// What the provider returns; empty = runners not started.
  void SetStarted(bool started) {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = started;
  }
  std::vector<RunnerStatus*> Statuses() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return {};
    return {&source_, &sink_};
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    return client.Get(path.c_str());
  }

  void Running() {
    source_.SetPhase(RunnerPhase::kRunning);
    sink_.SetPhase(RunnerPhase::kRunning);
  }

  Notifier notifier_;
  RunnerStatus source_{notifier_, RunnerKind::kSource, "gen", "datagen"};
  RunnerStatus sink_{notifier_, RunnerKind::kSink, "out", "file"};
  std::mutex mu_;
  bool started_ = true;
  HttpServer server_{[this] { return Statuses(); }};
  int port_ = 0;
};

TEST_F(HttpServerTest, MetricsServesParsablePrometheusText) {
  Running();
  source_.records = 41;
  auto r = Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  testing::Exposition e;
  std::string error;
  ASSERT_TRUE(testing::ParsePrometheusText(r->body, &e, &error)) << error << "\n" << r->body;
  EXPECT_EQ(e.Value("rivven_connector_records_total", {{"connector", "gen"}}), 41);
  EXPECT_GT(*e.Value("process_resident_memory_bytes"), 0);

  source_.records = 42;  // every scrape reads the live counters
  r = Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_TRUE(testing::ParsePrometheusText(r->body, &e, &error)) << error;
  EXPECT_EQ(e.Value("rivven_connector_records_total", {{"connector", "gen"}}), 42);
}

TEST_F(HttpServerTest, ReadyFlipsWhileASinkRestartsAndBack) {
  Running();
  auto r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ready\"}");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");

  sink_.SetHealthy(false, "restarting in 2s after: destination \"db\" unavailable");
  r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body,
            "{\"status\":\"not ready\",\"connectors\":[{\"connector\":\"out\",\"kind\":\"sink\","
            "\"type\":\"file\",\"phase\":\"running\",\"reason\":\"restarting in 2s after: "
            "destination \\\"db\\\" unavailable\"}]}");
  r = Get("/health");  // restarting is not dead: the process is healthy
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  sink_.SetHealthy(true);
  r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, NotReadyBeforeTheRunnersStartOrWhileStarting) {
  SetStarted(false);
  auto r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("have not started"), std::string::npos) << r->body;
  r = Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  r = Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  SetStarted(true);  // runners exist but are still in kStarting
  r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("\"connector\":\"gen\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"reason\":\"starting\""), std::string::npos) << r->body;
}

TEST_F(HttpServerTest, HealthIs503OnceAConnectorFailedForGood) {
  Running();
  sink_.SetPhase(RunnerPhase::kFailed, Status::Unavailable("sink 'out': disk full"));
  auto r = Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("\"status\":\"failed\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"connector\":\"out\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("disk full"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("\"connector\":\"gen\""), std::string::npos) << r->body;
  r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(HttpServerTest, FinishedBoundedSourceStaysReadyStoppedDoesNot) {
  Running();
  source_.SetPhase(RunnerPhase::kFinished);
  auto r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  sink_.SetPhase(RunnerPhase::kStopped);  // draining
  r = Get("/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("\"reason\":\"stopped\""), std::string::npos) << r->body;
}

TEST_F(HttpServerTest, UnknownPathIs404AndHeadWorks) {
  auto r = Get("/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  httplib::Client client("127.0.0.1", port_);
  auto h = client.Head("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_TRUE(h->body.empty());
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  HttpServer second([] { return std::vector<RunnerStatus*>{}; });
  auto port = second.Start("127.0.0.1", port_);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().message(),
            "127.0.0.1:" + std::to_string(port_) + " is in use by another process");
  // The first server is unaffected.
  auto r = Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, StopsPromptlyWithAnIdleKeepAliveClient) {
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  auto r = client.Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto start = std::chrono::steady_clock::now();
  server_.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
  server_.Stop();  // idempotent
  httplib::Client after("127.0.0.1", port_);
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/health"));
}

TEST_F(HttpServerTest, ManyConcurrentScrapesWithoutConnectStalls) {
  Running();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int64_t> slowest_ms{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 10; ++k) {
        const auto start = std::chrono::steady_clock::now();
        auto r = Get(k % 2 ? "/metrics" : "/ready");
        if (r && r->status == 200) ++ok;
        const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
        int64_t seen = slowest_ms.load();
        while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
  // httplib's own listen backlog (5) dropped SYNs here, costing a 1 s retransmit.
  EXPECT_LT(slowest_ms.load(), 900);
}

TEST(HttpServerBindTest, UnknownAddressIsAnError) {
  HttpServer server([] { return std::vector<RunnerStatus*>{}; });
  auto port = server.Start("203.0.113.7", 0);  // TEST-NET-3: not an address of this host
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("203.0.113.7"), std::string::npos)
      << port.status().ToString();
}

}  // namespace
}  // namespace rivven
