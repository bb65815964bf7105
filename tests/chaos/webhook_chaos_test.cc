// Chaos: a watched file -> embedded topic -> http-webhook, with rivven-connect SIGKILLed, the
// endpoint answering 5xx and 429, hanging past the client's timeout, and its connections cut by
// a proxy, while lines keep being appended to the file.
#include <signal.h>

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "chaos/chaos_support.h"
#include "support/http_test_server.h"
#include "support/tcp_proxy.h"

namespace rivven::testing::chaos {
namespace {

enum class Endpoint { kOk, kServerError, kThrottle, kHang };

TEST(WebhookChaosTest, FileToWebhookLosesNoLineThroughKillsErrorsHangsAndCuts) {
  std::atomic<Endpoint> endpoint{Endpoint::kOk};
  std::atomic<int> refused{0};
  std::mutex mu;
  std::vector<int64_t> delivered;
  HttpTestServer server;  // after what its handlers use: it stops before they go away
  server.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    switch (endpoint.load()) {
      case Endpoint::kServerError:
        ++refused;
        res.status = 503;
        return;
      case Endpoint::kThrottle:
        ++refused;
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      case Endpoint::kHang:  // answers only after the client gave up: it counts as delivered
        std::this_thread::sleep_for(milliseconds(1500));
        break;
      case Endpoint::kOk:
        break;
    }
    static const std::regex n("\"n\":([0-9]+)");
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = std::sregex_iterator(req.body.begin(), req.body.end(), n);
         it != std::sregex_iterator(); ++it) {
      delivered.push_back(std::stoll((*it)[1]));
    }
    res.status = 200;
  });
  std::string error;
  auto proxy = TcpProxy::Start(server.port(), &error);
  ASSERT_NE(proxy, nullptr) << error;
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  WriteFile(dir / "in/lines.jsonl", "");
  WriteFile(dir / "p.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "settings: {shutdown_timeout_ms: 10000}\n"
            "sources:\n"
            "  lines: {connector: file, topic: lines, config: {path: " + dir / "in" +
                ", watch: true, poll_interval_secs: 1}}\n"
            "sinks:\n"
            "  hook:\n"
            "    connector: http-webhook\n"
            "    topics: [lines]\n"
            "    consumer_group: hook\n"
            "    config:\n"
            "      url: http://" + proxy->address() + "/hook\n"
            "      batch_size: 20\n"
            "      timeout_secs: 1\n"
            "      retry: {max_attempts: 4, initial_backoff_ms: 50, max_backoff_ms: 500}\n");
  ConnectProcess connect(dir / "p.yaml", dir.path());
  connect.Start();

  std::ofstream lines(dir / "in/lines.jsonl", std::ios::app);
  SteadyProducer producer(
      [&](int64_t first, int64_t last) {
        for (int64_t id = first; id <= last; ++id) lines << "{\"n\":" << id << "}\n";
        lines.flush();
        return static_cast<bool>(lines);
      },
      1, 5, milliseconds(20));

  const int rounds = Scaled(10, 50);
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> pause_ms(300, 900);
  int kills = 0, errors = 0, throttles = 0, hangs = 0, cuts = 0;
  const auto hold = [&](Endpoint mode, milliseconds how_long) {
    endpoint = mode;
    std::this_thread::sleep_for(how_long);
    endpoint = Endpoint::kOk;
  };
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    switch (round % 5) {
      case 0:
        ASSERT_TRUE(connect.KillAndRestart()) << "rivven-connect had exited\n" << connect.Log();
        ++kills;
        break;
      case 1:
        hold(Endpoint::kServerError, milliseconds(1500));
        ++errors;
        break;
      case 2:
        hold(Endpoint::kThrottle, milliseconds(1500));
        ++throttles;
        break;
      case 3:
        hold(Endpoint::kHang, milliseconds(2000));
        ++hangs;
        break;
      case 4:
        cuts += proxy->CutAll() > 0 ? 1 : 0;
        break;
    }
  }
  const auto last_fault = Clock::now();
  std::this_thread::sleep_for(milliseconds(500));
  const std::set<int64_t> produced = producer.Stop();
  const auto snapshot = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return delivered;
  };
  const bool caught_up = WaitUntil([&] { return AllDelivered(produced, snapshot()); }, seconds(90));
  const double recovery = SecondsSince(last_fault);
  EXPECT_TRUE(connect.Running()) << "rivven-connect gave up\n" << connect.Log();
  EXPECT_EQ(connect.Stop(), 0) << connect.Log();
  const Tally tally = Compare(produced, snapshot());
  EXPECT_TRUE(caught_up) << "missing: " << tally.missing_sample << "\n" << connect.Log();
  EXPECT_EQ(tally.missing, 0) << tally.missing_sample;
  EXPECT_EQ(tally.unexpected, 0);
  EXPECT_GT(refused.load(), 0) << "the endpoint's errors were never exercised";
  // Replays: a kill or a failed request resends what was not committed; a request that hung past
  // the timeout was kept by the endpoint and is sent again (one batch of 20 per hang window try).
  // The file gets 250 lines a second and the sink commits after each acknowledged request, so
  // no fault replays more than ~2 s of lines.
  const int disruptive = kills + errors + throttles + hangs + cuts;
  EXPECT_LE(tally.duplicates, static_cast<int64_t>(disruptive) * 500) << "faults " << disruptive;
  Report("file → embedded → http-webhook",
         std::to_string(kills) + " kill -9, " + std::to_string(errors) + "× 503, " +
             std::to_string(throttles) + "× 429, " + std::to_string(hangs) + " hangs, " +
             std::to_string(cuts) + " cuts",
         tally, recovery);
}

}  // namespace
}  // namespace rivven::testing::chaos
