// The HTTP connectors over TLS through the rivven-connect binary, against HTTPS servers whose
// certificates come from a throwaway CA (support/test_ca.h): trusted through tls.ca_path,
// refused by default and for an unrelated CA or a host name outside the certificate (a fatal
// error naming the URL and the reason, not retried forever), and the tls.verify: false opt-out,
// which warns once naming the connector.
#include <signal.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/https_test_server.h"
#include "support/process.h"
#include "support/test_ca_suite.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

class HttpTlsPipelineTest : public TestCaSuite {
 protected:
  /// Counts the records POSTed to /hook (batches of JSON arrays of datagen orders).
  static void AcceptHooks(HttpsTestServer& server, std::atomic<int>* records) {
    server.server().Post("/hook", [records](const httplib::Request& req, httplib::Response& res) {
      size_t n = 0;
      for (size_t at = req.body.find("\"order_id\""); at != std::string::npos;
           at = req.body.find("\"order_id\"", at + 1)) {
        ++n;
      }
      *records += static_cast<int>(n);
      res.status = 200;
    });
  }

  /// datagen (`events` orders) -> http-webhook to `url` with `tls` (a YAML flow mapping or "").
  std::string WebhookPipeline(const std::string& url, const std::string& tls, int events) {
    const std::string path = dir_ / ("webhook-" + std::to_string(++files_) + ".yaml");
    WriteFile(path,
              "version: \"1.0\"\n"
              "sources:\n"
              "  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 3, "
              "events_per_second: 0, max_events: " +
                  std::to_string(events) +
                  "}}\n"
                  "sinks:\n"
                  "  hook:\n"
                  "    connector: http-webhook\n"
                  "    topics: [orders]\n"
                  "    config:\n"
                  "      url: \"" +
                  url +
                  "\"\n"
                  "      batch_size: 5\n"
                  "      max_in_flight: 3\n"
                  "      retry: {max_attempts: 2, initial_backoff_ms: 10, max_backoff_ms: 20}\n" +
                  (tls.empty() ? "" : "      tls: " + tls + "\n"));
    return path;
  }

  ProcessResult Run(const std::string& config) {
    return RunProcess({BinaryPath(), "run", "-c", config, "--data-dir",
                       dir_ / ("data-" + std::to_string(++files_))},
                      {.timeout = 90s});
  }

  TempDir dir_;
  int files_ = 0;
};

TEST_F(HttpTlsPipelineTest, WebhookDeliversOverHttpsWithTheCustomCa) {
  std::atomic<int> records{0};
  HttpsTestServer server(*ca_);
  AcceptHooks(server, &records);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    records = 0;
    const ProcessResult r =
        Run(WebhookPipeline(server.UrlFor(host, "/hook"), "{ca_path: " + ca_->ca_path() + "}", 40));
    ASSERT_EQ(r.exit_code, 0) << host << "\n" << DescribeResult(r);
    EXPECT_EQ(records.load(), 40) << host;
    EXPECT_EQ(r.err.find("verification is off"), std::string::npos) << r.err;
  }
}

TEST_F(HttpTlsPipelineTest, PollReadsOverHttpsWithTheCustomCa) {
  HttpsTestServer server(*ca_);
  server.server().Get("/events", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("[{\"id\":1},{\"id\":2},{\"id\":3}]", "application/json");
  });
  WriteFile(dir_ / "poll.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  api:\n"
            "    connector: http-poll\n"
            "    topic: events\n"
            "    config:\n"
            "      url: \"" +
                server.UrlFor("localhost", "/events") +
                "\"\n"
                "      poll_interval_secs: 3600\n"
                "      tls: {ca_path: " +
                ca_->ca_path() +
                "}\n"
                "sinks:\n"
                "  out: {connector: file, topics: [events], config: {path: " +
                (dir_ / "out") + "}}\n");
  BackgroundProcess run(
      {BinaryPath(), "run", "-c", dir_ / "poll.yaml", "--data-dir", dir_ / "poll-data"}, {},
      dir_ / "poll.out", dir_ / "poll.err");
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (SplitLines(ReadFile(dir_ / "out/events.jsonl")).size() < 3 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s).exit_code, 0) << ReadFile(dir_ / "poll.err");
  EXPECT_EQ(SplitLines(ReadFile(dir_ / "out/events.jsonl")),
            (std::vector<std::string>{"{\"id\":1}", "{\"id\":2}", "{\"id\":3}"}))
      << ReadFile(dir_ / "poll.err");
}

// Without tls.ca_path (the system's trust store), with an unrelated CA, and for a certificate
// that names another host: the run fails (fatal, so the runtime gives up after its few restarts
// instead of retrying for ever) with the URL and the reason, and no request reaches the server.
TEST_F(HttpTlsPipelineTest, WebhookRefusesAServerItCannotVerify) {
  struct Case {
    std::string name, tls, reason;
    bool wrong_host;
  };
  const Case cases[] = {
      {"no ca_path", "", "TLS certificate verify failed", false},
      {"unrelated CA", "{ca_path: " + ca_->other_ca_path() + "}", "TLS certificate verify failed",
       false},
      {"wrong host", "{ca_path: " + ca_->ca_path() + "}", "TLS host name mismatch", true},
  };
  for (const Case& c : cases) {
    std::atomic<int> records{0};
    auto server = c.wrong_host ? std::make_unique<HttpsTestServer>(ca_->wrong_host_cert_path(),
                                                                   ca_->wrong_host_key_path())
                               : std::make_unique<HttpsTestServer>(*ca_);
    AcceptHooks(*server, &records);
    const std::string url = server->Url("/hook");
    const auto start = std::chrono::steady_clock::now();
    const ProcessResult r = Run(WebhookPipeline(url, c.tls, 10));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(r.timed_out) << c.name;
    EXPECT_NE(r.exit_code, 0) << c.name << "\n" << DescribeResult(r);
    EXPECT_NE(r.err.find("POST " + url + ": " + c.reason + " ("), std::string::npos)
        << c.name << "\n"
        << r.err;
    EXPECT_EQ(records.load(), 0) << c.name;
    EXPECT_LT(took, 60s) << c.name;
    std::cout << c.name << ": failed after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  }
}

TEST_F(HttpTlsPipelineTest, PollRefusesAHostNameOutsideTheCertificate) {
  HttpsTestServer server(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path());
  std::atomic<int> gets{0};
  server.server().Get("/events", [&](const httplib::Request&, httplib::Response& res) {
    gets++;
    res.set_content("[]", "application/json");
  });
  const std::string url = server.Url("/events");
  WriteFile(dir_ / "poll.yaml",
            "version: \"1.0\"\n"
            "sources:\n"
            "  api: {connector: http-poll, topic: t, config: {url: \"" +
                url + "\", tls: {ca_path: " + ca_->ca_path() +
                "}}}\n"
                "sinks:\n"
                "  out: {connector: file, topics: [t], config: {path: " +
                (dir_ / "out") + "}}\n");
  const ProcessResult r = Run(dir_ / "poll.yaml");
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0) << DescribeResult(r);
  EXPECT_NE(r.err.find("GET " + url + ": TLS host name mismatch ("), std::string::npos) << r.err;
  EXPECT_EQ(gets.load(), 0);

  const ProcessResult check =
      RunProcess({BinaryPath(), "check", "-c", dir_ / "poll.yaml"}, {.timeout = 60s});
  EXPECT_EQ(check.exit_code, 1) << DescribeResult(check);
  EXPECT_NE((check.out + check.err).find("TLS host name mismatch"), std::string::npos)
      << check.out << check.err;
}

TEST_F(HttpTlsPipelineTest, VerifyFalseDeliversAndWarnsOnceNamingTheConnector) {
  std::atomic<int> records{0};
  HttpsTestServer server(ca_->wrong_host_cert_path(), ca_->wrong_host_key_path());
  AcceptHooks(server, &records);
  const ProcessResult r = Run(WebhookPipeline(server.Url("/hook"), "{verify: false}", 30));
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  EXPECT_EQ(records.load(), 30);
  const std::string warning =
      "sinks.hook.config.tls.verify: TLS certificate verification is off, "
      "the server's identity is not checked";
  const size_t at = r.err.find(warning);
  ASSERT_NE(at, std::string::npos) << r.err;
  // Three senders (max_in_flight: 3), one warning.
  EXPECT_EQ(r.err.find(warning, at + 1), std::string::npos) << r.err;
}

TEST_F(HttpTlsPipelineTest, CheckTrustsTheCustomCaAndRefusesWithoutIt) {
  std::atomic<int> records{0};
  HttpsTestServer server(*ca_);
  AcceptHooks(server, &records);
  server.server().Get("/hook",
                      [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  const std::string url = server.Url("/hook");
  const ProcessResult ok =
      RunProcess({BinaryPath(), "check", "-c",
                  WebhookPipeline(url, "{ca_path: " + ca_->ca_path() + "}", 1), "--sink", "hook"},
                 {.timeout = 60s});
  EXPECT_EQ(ok.exit_code, 0) << DescribeResult(ok);
  const ProcessResult refused =
      RunProcess({BinaryPath(), "check", "-c", WebhookPipeline(url, "", 1), "--sink", "hook"},
                 {.timeout = 60s});
  EXPECT_EQ(refused.exit_code, 1) << DescribeResult(refused);
  EXPECT_NE((refused.out + refused.err).find("HEAD " + url + ": TLS certificate verify failed"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(records.load(), 0);
}

}  // namespace
}  // namespace rivven::testing
