// The built binary's observability: /metrics, /health and /ready on settings.http.port while a
// pipeline runs, a taken port failing the run before anything starts, and progress log lines
// for bounded work when stderr is not a terminal.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/prometheus_parser.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

/// A listening loopback socket on an ephemeral port; closed on destruction.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

/// A port nothing listens on right now (the kernel's pick, released again).
int FreePort() {
  Listener l;
  return l.port();
}

struct HttpReply {
  int status = 0;
  std::string headers;
  std::string body;
};

/// GET over a plain socket with "Connection: close"; nullopt when nothing answers.
std::optional<HttpReply> HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string raw;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
    raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return std::nullopt;
  HttpReply reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.headers = raw.substr(0, head_end);
  reply.body = raw.substr(head_end + 4);
  return reply;
}

/// Polls `path` until it answers `status` (or `timeout`).
std::optional<HttpReply> WaitFor(int port, const std::string& path, int status,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<HttpReply> last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = HttpGet(port, path);
    if (last && last->status == status) return last;
    std::this_thread::sleep_for(50ms);
  }
  return last;
}

std::string Config(const std::string& out_dir, int http_port, int64_t max_events, int64_t eps) {
  return "version: \"1.0\"\n"
         "settings:\n"
         "  http: {port: " +
         std::to_string(http_port) +
         "}\n"
         "sources:\n"
         "  gen:\n"
         "    connector: datagen\n"
         "    topic: orders\n"
         "    config: {pattern: orders, seed: 7, events_per_second: " +
         std::to_string(eps) + ", max_events: " + std::to_string(max_events) +
         "}\n"
         "sinks:\n"
         "  out:\n"
         "    connector: file\n"
         "    topics: [orders]\n"
         "    config: {path: " +
         out_dir + "}\n";
}

double RecordsTotal(const std::string& metrics, const std::string& connector,
                    const std::string& kind) {
  Exposition e;
  std::string error;
  EXPECT_TRUE(ParsePrometheusText(metrics, &e, &error)) << error << "\n" << metrics;
  const auto v =
      e.Value("rivven_connector_records_total", {{"connector", connector}, {"kind", kind}});
  EXPECT_TRUE(v.has_value()) << metrics;
  return v.value_or(-1);
}

TEST(ObservabilityTest, MetricsHealthAndReadyWhileRunning) {
  TempDir dir;
  const int port = FreePort();
  WriteFile(dir / "p.yaml", Config(dir / "out", port, 0, 2000));
  BackgroundProcess p({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"}, {},
                      dir / "stdout", dir / "stderr");
  auto ready = WaitFor(port, "/ready", 200, 20s);
  ASSERT_TRUE(ready && ready->status == 200) << (ready ? ready->body : "no answer") << "\n"
                                             << ReadFile(dir / "stderr");
  EXPECT_EQ(ready->body, "{\"status\":\"ready\"}");
  EXPECT_NE(
      ReadFile(dir / "stderr")
          .find("serving /metrics, /health and /ready on http://0.0.0.0:" + std::to_string(port)),
      std::string::npos);

  auto first = HttpGet(port, "/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_NE(first->headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
      << first->headers;
  const double produced = RecordsTotal(first->body, "gen", "source");
  std::this_thread::sleep_for(1500ms);
  auto second = HttpGet(port, "/metrics");
  ASSERT_TRUE(second);
  EXPECT_GT(RecordsTotal(second->body, "gen", "source"), produced) << second->body;
  EXPECT_GT(RecordsTotal(second->body, "out", "sink"), 0) << second->body;
  EXPECT_NE(second->body.find("rivven_connector_info{connector=\"gen\",type=\"datagen\","
                              "kind=\"source\",phase=\"running\"} 1"),
            std::string::npos)
      << second->body;
  EXPECT_NE(second->body.find("process_resident_memory_bytes "), std::string::npos);

  auto health = HttpGet(port, "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "{\"status\":\"ok\"}");

  p.Signal(SIGTERM);
  auto r = p.Wait(30s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << ReadFile(dir / "stderr");
  EXPECT_FALSE(HttpGet(port, "/health")) << "the server outlived the process";
}

TEST(ObservabilityTest, PortInUseFailsBeforeThePipelineStarts) {
  TempDir dir;
  Listener taken;
  WriteFile(dir / "p.yaml", Config(dir / "out", taken.port(), 0, 100));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"},
                      {.timeout = 30s});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string port = std::to_string(taken.port());
  EXPECT_NE(r.err.find("settings.http.port " + port + ": 0.0.0.0:" + port +
                       " is in use by another process"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "d")) << "the broker was opened";
  EXPECT_FALSE(std::filesystem::exists(dir / "out")) << "a connector ran";
}

TEST(ObservabilityTest, NoServerWithoutAPort) {
  TempDir dir;
  WriteFile(dir / "p.yaml", Config(dir / "out", 0, 200, 0));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("serving /metrics"), std::string::npos) << r.err;
}

TEST(ObservabilityTest, BoundedRunLogsProgressWhenNotATerminal) {
  TempDir dir;
  WriteFile(dir / "p.yaml", Config(dir / "out", 0, 3000, 2000));
  auto r = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "d"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // stderr is a pipe here: log lines, never a redrawn bar.
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[progress] gen: done, 3,000 events in "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rivven::testing
