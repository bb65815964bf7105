// The HTTP connectors through the rivven-connect binary, against cpp-httplib servers run by the
// test on loopback.
#include <signal.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

#include "support/process.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

using Server = rivven::testing::HttpTestServer;

std::set<int64_t> OrderIds(const std::string& text) {
  static const std::regex id("\"order_id\":([0-9]+)");
  std::set<int64_t> ids;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator(); ++it) {
    ids.insert(std::stoll((*it)[1]));
  }
  return ids;
}

TEST(HttpPipelineTest, WebhookDeliversEveryRecordThroughFailuresAndDeadLettersPermanentOnes) {
  std::mutex mu;
  std::multiset<int64_t> delivered;
  std::atomic<int> calls{0};
  Server s;  // after what its handlers use: it stops before they go away
  s.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    const int n = calls++;
    if (n % 7 == 3) {  // a 500 now and then
      res.status = 500;
      return;
    }
    if (n % 11 == 5) {  // throttled
      res.status = 429;
      res.set_header("Retry-After", "0");
      return;
    }
    if (n == 20) std::this_thread::sleep_for(1500ms);  // one request past the client's timeout
    const auto ids = OrderIds(req.body);
    if (ids.count(13)) {  // the endpoint refuses order 13 for good
      res.status = 422;
      res.set_content("order 13 is invalid", "text/plain");
      return;
    }
    std::lock_guard<std::mutex> l(mu);
    for (int64_t id : ids) delivered.insert(id);
    res.status = 200;
  });
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 9, "
            "events_per_second: 0, max_events: 500}}\n"
            "sinks:\n"
            "  hook:\n"
            "    connector: http-webhook\n"
            "    topics: [orders]\n"
            "    on_error: dlq\n"
            "    dead_letter_topic: hook-dlq\n"
            "    config:\n"
            "      url: " + s.Url("/hook") + "\n"
            "      batch_size: 10\n"
            "      timeout_secs: 1\n"
            "      retry: {max_attempts: 5, initial_backoff_ms: 10, max_backoff_ms: 100}\n");
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"},
                      {.timeout = 120s});
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  std::set<int64_t> unique(delivered.begin(), delivered.end());
  // Every order but 13 and the other 9 of its request arrived.
  for (int64_t id = 1; id <= 500; ++id) {
    if (id >= 11 && id <= 20) continue;  // the batch that holds 13
    EXPECT_TRUE(unique.count(id)) << "order " << id << " never arrived";
  }
  // Duplicates only from the request that timed out (at-least-once), bounded by its batch.
  EXPECT_LE(delivered.size() - unique.size(), 10u);
  // The refused batch is in the dead letter topic with the reason.
  auto dlq = RunProcess({BinaryPath(), "--data-dir", dir / "d", "topics", "tail", "hook-dlq",
                         "--from-beginning", "-n", "100"});
  ASSERT_EQ(dlq.exit_code, 0) << DescribeResult(dlq);
  EXPECT_EQ(SplitLines(dlq.out).size(), 10u) << dlq.out;
  EXPECT_TRUE(OrderIds(dlq.out).count(13)) << dlq.out;
  EXPECT_NE(dlq.out.find("HTTP 422"), std::string::npos) << dlq.out;
}

TEST(HttpPipelineTest, PollCursorResumesAfterKillNineWithExactOutput) {
  std::atomic<int> available{0};  // events 1..available exist
  Server s;  // after what its handlers use
  s.server().Get("/events", [&](const httplib::Request& req, httplib::Response& res) {
    const int since = req.has_param("since") ? std::stoi(req.get_param_value("since")) : 0;
    const int page = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 1;
    // Pages of 20 events after `since`.
    const int from = since + (page - 1) * 20 + 1;
    const int to = std::min(available.load(), from + 19);
    std::string body = "{\"events\":[";
    for (int e = from; e <= to; ++e) {
      body += (e > from ? "," : "") + std::string("{\"order_id\":") + std::to_string(e) +
              ",\"seq\":" + std::to_string(e) + "}";
    }
    res.set_content(body + "]}", "application/json");
  });
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  api:\n"
            "    connector: http-poll\n"
            "    topic: events\n"
            "    config:\n"
            "      url: " + s.Url("/events") + "\n"
            "      poll_interval_secs: 0\n"
            "      response_path: \"$.events[*]\"\n"
            "      pagination: {type: page, page_size: 20}\n"
            "      incremental: {field: \"$.seq\", param: since, initial: \"0\"}\n"
            "sinks:\n"
            "  out: {connector: file, topics: [events], config: {path: " + (dir / "out") + "}}\n");
  auto lines = [&] { return SplitLines(ReadFile(dir / "out/events.jsonl")); };
  auto wait_for = [&](size_t n) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (lines().size() < n && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
    return lines().size() >= n;
  };
  available = 300;
  {
    BackgroundProcess run({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                          dir / "out1", dir / "err1");
    ASSERT_TRUE(wait_for(300)) << ReadFile(dir / "err1");
    available = 700;  // more arrive while it runs
    ASSERT_TRUE(wait_for(400)) << ReadFile(dir / "err1");
    run.Signal(SIGKILL);
    run.Wait(10s);
  }
  available = 1000;
  BackgroundProcess again({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                          dir / "out2", dir / "err2");
  ASSERT_TRUE(wait_for(1000)) << ReadFile(dir / "err2");
  std::this_thread::sleep_for(300ms);
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(30s).exit_code, 0) << ReadFile(dir / "err2");
  const auto all = lines();
  const std::set<std::string> unique(all.begin(), all.end());
  std::set<std::string> want;
  for (int e = 1; e <= 1000; ++e) {
    want.insert("{\"order_id\":" + std::to_string(e) + ",\"seq\":" + std::to_string(e) + "}");
  }
  EXPECT_EQ(unique, want);  // nothing skipped, nothing invented
  // Re-emitted after the kill: at most what was past the last checkpoint (a poll's pages).
  EXPECT_LE(all.size() - unique.size(), 400u);
}

TEST(HttpPipelineTest, CheckReachesTheEndpointsWithoutWriting) {
  std::atomic<int> posts{0}, heads{0}, gets{0};
  Server s;
  s.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    posts++;
    res.status = 200;
  });
  s.server().Get("/hook", [&](const httplib::Request&, httplib::Response& res) {
    heads++;  // cpp-httplib serves HEAD with the GET handler
    res.status = 200;
  });
  s.server().Get("/api", [&](const httplib::Request&, httplib::Response& res) {
    gets++;
    res.set_content("[]", "application/json");
  });
  TempDir dir;
  auto config = [&](const std::string& api, const std::string& hook) {
    return "version: \"1.0\"\n"
           "sources:\n"
           "  api: {connector: http-poll, topic: t, config: {url: \"" + api + "\"}}\n"
           "sinks:\n"
           "  hook: {connector: http-webhook, topics: [t], config: {url: \"" + hook + "\"}}\n";
  };
  WriteFile(dir / "ok.yaml", config(s.Url("/api"), s.Url("/hook")));
  auto ok = RunProcess({BinaryPath(), "check", "-c", dir / "ok.yaml"}, {.timeout = 60s});
  EXPECT_EQ(ok.exit_code, 0) << DescribeResult(ok);
  EXPECT_EQ(posts.load(), 0);  // nothing written
  EXPECT_EQ(heads.load(), 1);
  EXPECT_EQ(gets.load(), 1);

  WriteFile(dir / "bad.yaml", config(s.Url("/missing"), "http://127.0.0.1:1/hook"));
  auto bad = RunProcess({BinaryPath(), "check", "-c", dir / "bad.yaml"}, {.timeout = 60s});
  EXPECT_EQ(bad.exit_code, 1) << DescribeResult(bad);
  const std::string all = bad.out + bad.err;
  EXPECT_NE(all.find("/missing answered HTTP 404"), std::string::npos) << all;
  EXPECT_NE(all.find("127.0.0.1:1/hook"), std::string::npos) << all;
}

}  // namespace
}  // namespace rivven::testing
