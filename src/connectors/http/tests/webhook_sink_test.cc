// The http-webhook sink against cpp-httplib servers on loopback that fail in the ways endpoints
// do, and its request helpers.
#include "connectors/http/webhook_sink.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

#include "connectors/http/webhook_request.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::http {
namespace {

using namespace std::chrono_literals;

using TestServer = rivven::testing::HttpTestServer;
// What a handler records under its mutex is read under it too after Flush: the response that
// ended the request orders the write before the read only through the socket, which
// ThreadSanitizer cannot see.

using CollectingErrors = ::rivven::testing::CollectingErrors;

std::vector<ConsumedRecord> Records(int from, int to, int32_t partition = 0) {
  std::vector<ConsumedRecord> v;
  for (int i = from; i < to; ++i) {
    ConsumedRecord r;
    r.topic = "alerts";
    r.partition = partition;
    r.offset = Offset(i);
    r.record.value = "{\"n\":" + std::to_string(i) + "}";
    v.push_back(std::move(r));
  }
  return v;
}

WebhookConfig Config(const std::string& url) {
  WebhookConfig c;
  c.url = url;
  c.retry.initial_backoff = 10ms;
  c.retry.max_backoff = 50ms;
  c.timeout = 2s;
  return c;
}

TEST(WebhookRequestTest, BodiesSignaturesRetryAfterAndBackoff) {
  auto rs = Records(0, 2);
  rs[1].record.value = "not json";
  EXPECT_EQ(BuildBody(std::span(rs).first(1), BatchFormat::kJsonArray, true), "{\"n\":0}");
  EXPECT_EQ(BuildBody(rs, BatchFormat::kJsonArray, false), "[{\"n\":0},\"not json\"]");
  EXPECT_EQ(BuildBody(rs, BatchFormat::kNdjson, false), "{\"n\":0}\n\"not json\"\n");
  // RFC 4231, test case 2.
  EXPECT_EQ(SignatureOf("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(IsRetriableStatus(500));
  EXPECT_TRUE(IsRetriableStatus(503));
  EXPECT_TRUE(IsRetriableStatus(429));
  EXPECT_TRUE(IsRetriableStatus(408));
  EXPECT_FALSE(IsRetriableStatus(400));
  EXPECT_FALSE(IsRetriableStatus(404));
}

TEST(WebhookSinkTest, FailuresAreRetriedUntilEveryRecordArrivedOnOneConnection) {
  std::mutex mu;
  std::multiset<std::string> received;
  std::set<int> ports;
  int calls = 0;
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    ports.insert(req.remote_port);
    ++calls;
    if (calls % 3 == 1) {  // every third request fails first with a 500
      res.status = 500;
      return;
    }
    received.insert(req.body);
    res.status = 204;
  });
  ConnectorMetrics metrics;
  WebhookSink sink(Config(s.Url("/hook")), nullptr, &metrics);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 30)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  std::map<std::string, uint64_t> counted;
  for (const auto& c : metrics.Counters()) counted[c.name + "/" + c.label_value] = c.value;
  EXPECT_EQ(counted["http_requests_total/2xx"], 30u);
  EXPECT_EQ(counted["http_requests_total/5xx"], sink.counters().status_5xx.load());
  EXPECT_EQ(counted["http_retries_total/"], sink.counters().retries.load());
  ASSERT_EQ(metrics.Histograms().size(), 1u);
  EXPECT_EQ(metrics.Histograms()[0].histogram->count(), sink.counters().requests.load());
  std::multiset<std::string> want;
  for (int i = 0; i < 30; ++i) want.insert("{\"n\":" + std::to_string(i) + "}");
  std::lock_guard<std::mutex> l(mu);  // the handlers' writes, for ThreadSanitizer (see top)
  EXPECT_EQ(received, want);
  EXPECT_GT(sink.counters().retries.load(), 0u);
  EXPECT_EQ(sink.counters().status_5xx.load(), sink.counters().retries.load());
  EXPECT_EQ(ports.size(), 1u);
  EXPECT_EQ(sink.connections_opened(), 1u);
}

TEST(WebhookSinkTest, TooManyRequestsWaitsForRetryAfter) {
  std::atomic<int> calls{0};
  std::vector<std::chrono::steady_clock::time_point> at;
  std::mutex mu;
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    at.push_back(std::chrono::steady_clock::now());
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.status = 200;
  });
  WebhookConfig c = Config(s.Url("/hook"));
  c.retry.max_backoff = 5s;  // Retry-After is capped by max_backoff
  WebhookSink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 1)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  std::lock_guard<std::mutex> l(mu);  // the handlers' writes, for ThreadSanitizer (see top)
  ASSERT_EQ(at.size(), 2u);
  EXPECT_GE(at[1] - at[0], 950ms);
}

TEST(WebhookSinkTest, ATimeoutIsRetriedAndCountedAsAPossibleDuplicate) {
  std::atomic<int> calls{0};
  std::atomic<int> completed{0};
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) std::this_thread::sleep_for(1500ms);  // past the client's timeout
    completed++;
    res.status = 200;
  });
  WebhookConfig c = Config(s.Url("/hook"));
  c.timeout = 1s;
  WebhookSink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 1)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.counters().transport_errors.load(), 1u);
  EXPECT_EQ(sink.counters().maybe_duplicated.load(), 1u);
}

// A raw endpoint: the first `resets` requests are answered by resetting the connection (RST),
// the rest with 200 on a kept connection; it records the bodies it answered.
class ResettingEndpoint {
 public:
  explicit ResettingEndpoint(int resets) : resets_(resets) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ResettingEndpoint() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies;  // read after the sink is done

 private:
  void Serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      while (true) {
        const size_t head_end = in.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          const size_t cl = in.find("Content-Length: ");
          const size_t length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
          if (in.size() >= head_end + 4 + length) {
            if (resets_ > 0) {
              --resets_;
              linger l{1, 0};  // close with RST
              ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
              break;
            }
            bodies.push_back(in.substr(head_end + 4, length));
            const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            (void)::send(c, ok.data(), ok.size(), MSG_NOSIGNAL);
            in.erase(0, head_end + 4 + length);
            continue;
          }
        }
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  int resets_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(WebhookSinkTest, AConnectionResetIsRetriedOnANewConnection) {
  ResettingEndpoint endpoint(2);
  WebhookSink sink(Config(endpoint.Url()), nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 3)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(endpoint.bodies, (std::vector<std::string>{"{\"n\":0}", "{\"n\":1}", "{\"n\":2}"}));
  EXPECT_EQ(sink.counters().transport_errors.load(), 2u);
  EXPECT_EQ(sink.counters().maybe_duplicated.load(), 1u);  // the request that was reset twice
  EXPECT_EQ(sink.connections_opened(), 3u);
}

TEST(WebhookSinkTest, RetriesRunOutAndFlushFailsRetriably) {
  TestServer s;
  s.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  WebhookSink sink(Config(s.Url("/hook")), nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 2)).ok());
  Status st = sink.Flush();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.retriable());
  EXPECT_NE(st.message().find("HTTP 503"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("after 3 tries"), std::string::npos) << st.message();
  EXPECT_EQ(sink.counters().requests.load(), 3u);  // the partition stops at its failed request

  // Batched requests are encoded ahead on a helper thread: a failure stops it too.
  WebhookConfig batched = Config(s.Url("/hook"));
  batched.batch_size = 10;
  WebhookSink many(batched, nullptr);
  ASSERT_TRUE(many.Open().ok());
  ASSERT_TRUE(many.Write(Records(0, 200)).ok());
  EXPECT_FALSE(many.Flush().ok());
  EXPECT_EQ(many.counters().requests.load(), 3u);
}

TEST(WebhookSinkTest, PermanentClientErrorsGoToOnError) {
  TestServer s;
  s.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find("\"n\":1}") != std::string::npos) {
      res.status = 422;
      res.set_content("{\"error\":\"bad n\"}", "application/json");
      return;
    }
    res.status = 200;
  });
  CollectingErrors errors;
  WebhookSink sink(Config(s.Url("/hook")), &errors);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 3)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_EQ(errors.rejected[0].value, "{\"n\":1}");
  EXPECT_EQ(errors.rejected[0].position, "alerts/0/1");
  EXPECT_NE(errors.rejected[0].reason.find("HTTP 422"), std::string::npos);
  EXPECT_NE(errors.rejected[0].reason.find("bad n"), std::string::npos);
  // Without an error policy the sink fails instead.
  WebhookSink strict(Config(s.Url("/hook")), nullptr);
  ASSERT_TRUE(strict.Open().ok());
  ASSERT_TRUE(strict.Write(Records(1, 2)).ok());
  EXPECT_FALSE(strict.Flush().ok());
}

TEST(WebhookSinkTest, BatchesAreArraysOrNdjsonSignedAndGzipped) {
  std::mutex mu;
  std::vector<std::string> bodies, content_types;
  std::vector<bool> signature_ok;
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    bodies.push_back(req.body);  // cpp-httplib has already undone Content-Encoding: gzip
    content_types.push_back(req.get_header_value("Content-Type"));
    signature_ok.push_back(req.get_header_value("X-Rivven-Signature-256") ==
                           SignatureOf("s3cret", req.body));
    res.status = 200;
  });
  WebhookConfig c = Config(s.Url("/hook"));
  c.batch_size = 100;
  c.signing_secret = "s3cret";
  c.gzip = true;
  WebhookSink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 250)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  {
    std::lock_guard<std::mutex> l(mu);  // the handlers' writes, for ThreadSanitizer (see top)
    ASSERT_EQ(bodies.size(), 3u);
    EXPECT_EQ(bodies[0].front(), '[');
    EXPECT_EQ(std::count(bodies[0].begin(), bodies[0].end(), '{'), 100);
    EXPECT_EQ(std::count(bodies[2].begin(), bodies[2].end(), '{'), 50);
    EXPECT_EQ(content_types[0], "application/json");
    EXPECT_EQ(signature_ok, (std::vector<bool>{true, true, true}));
  }

  c.batch_format = BatchFormat::kNdjson;
  c.gzip = false;
  WebhookSink nd(c, nullptr);
  ASSERT_TRUE(nd.Open().ok());
  ASSERT_TRUE(nd.Write(Records(0, 3)).ok());
  ASSERT_TRUE(nd.Flush().ok());
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(bodies.back(), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(content_types.back(), "application/x-ndjson");
}

TEST(WebhookSinkTest, PartitionsGoInParallelEachInOrder) {
  std::mutex mu;
  std::map<std::string, std::vector<int>> seen;  // partition header -> n in arrival order
  std::atomic<int> in_flight{0}, most{0};
  TestServer s;  // after the state its handlers use: it stops first
  s.server().new_task_queue = [] { return new httplib::ThreadPool(8); };
  s.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    const int now = ++in_flight;
    int m = most.load();
    while (now > m && !most.compare_exchange_weak(m, now)) {
    }
    std::this_thread::sleep_for(5ms);
    {
      std::lock_guard<std::mutex> l(mu);
      const int n = std::stoi(req.body.substr(req.body.find(':') + 1));
      seen[std::to_string(n / 1000)].push_back(n % 1000);
    }
    --in_flight;
    res.status = 200;
  });
  WebhookConfig c = Config(s.Url("/hook"));
  c.max_in_flight = 4;
  WebhookSink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  for (int p = 0; p < 4; ++p) ASSERT_TRUE(sink.Write(Records(p * 1000, p * 1000 + 20, p)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  std::lock_guard<std::mutex> l(mu);  // the handlers' writes, for ThreadSanitizer (see top)
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [p, ns] : seen) {
    std::vector<int> want(20);
    for (int i = 0; i < 20; ++i) want[static_cast<size_t>(i)] = i;
    EXPECT_EQ(ns, want) << "partition " << p;
  }
  EXPECT_GT(most.load(), 1);
}

TEST(WebhookSinkTest, FullBatchesAreOnTheWireBeforeFlush) {
  std::atomic<int> bodies{0};
  TestServer s;  // after the state its handlers use: it stops first
  s.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    ++bodies;
    res.status = 204;
  });
  WebhookConfig c = Config(s.Url("/hook"));
  c.batch_size = 10;
  WebhookSink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 35)).ok());
  // Three full batches go out while the runner would read on; the last 5 records wait.
  for (int i = 0; i < 500 && bodies.load() < 3; ++i) std::this_thread::sleep_for(2ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(bodies.load(), 3);
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(bodies.load(), 4);
  EXPECT_EQ(sink.counters().status_2xx.load(), 4u);
  EXPECT_EQ(sink.connections_opened(), 1u);
}

}  // namespace
}  // namespace rivven::http
