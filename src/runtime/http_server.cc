#include "runtime/http_server.h"

#include <pthread.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include <fmt/core.h>
#include <httplib.h>

#include "base/json_escape.h"
#include "base/redaction.h"
#include "runtime/metrics_exporter.h"
#include "runtime/runner_status.h"

namespace rivven {
namespace {

constexpr size_t kWorkerThreads = 4;
// Short timeouts bound how long Stop waits for a slow or idle client.
constexpr time_t kKeepAliveSeconds = 1;
constexpr time_t kIoTimeoutSeconds = 2;
constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kJsonContentType = "application/json";

const char* KindName(RunnerKind kind) { return kind == RunnerKind::kSource ? "source" : "sink"; }

/// `{"connector":..,"kind":..,"type":..,"phase":..,"reason":..}`
void AppendConnector(std::string& out, const RunnerStatus& s, RunnerPhase phase,
                     const std::string& reason) {
  out += "{\"connector\":";
  AppendJsonString(out, s.name);
  out += ",\"kind\":";
  AppendJsonString(out, KindName(s.kind));
  out += ",\"type\":";
  AppendJsonString(out, s.connector);
  out += ",\"phase\":";
  AppendJsonString(out, RunnerPhaseName(phase));
  out += ",\"reason\":";
  AppendJsonString(out, reason);
  out += '}';
}

HealthResponse Problems(const char* status, const std::string& connectors_json) {
  return {503, fmt::format("{{\"status\":\"{}\",\"connectors\":[{}]}}", status, connectors_json)};
}

/// Why a started connector does not count as ready, or empty when it does.
std::string NotReadyReason(const RunnerStatus& s, RunnerPhase phase) {
  if (!s.healthy()) {
    std::string reason = s.unhealthy_reason();
    return reason.empty() ? "unhealthy" : reason;
  }
  switch (phase) {
    case RunnerPhase::kRunning:
    case RunnerPhase::kFinished:
      return {};
    case RunnerPhase::kStarting:
      return "starting";
    case RunnerPhase::kStopped:
      return "stopped";
    case RunnerPhase::kFailed:
      return "failed";
  }
  return "unknown phase";
}

std::string BindError(const std::string& host, int port, int err) {
  const std::string where = fmt::format("{}:{}", host, port);
  switch (err) {
    case EADDRINUSE:
      return fmt::format("{} is in use by another process", where);
    case EACCES:
      return fmt::format(
          "no permission to listen on {} (ports below 1024 need "
          "privileges)",
          where);
    case EADDRNOTAVAIL:
      return fmt::format("{} is not an address of this host", where);
    case 0:
      return fmt::format("cannot listen on {}", where);
    default:
      return fmt::format("cannot listen on {}: {}", where, std::strerror(err));
  }
}

}  // namespace

HealthResponse CheckHealth(const std::vector<RunnerStatus*>& statuses) {
  std::string failed;
  for (const RunnerStatus* s : statuses) {
    if (s->phase() != RunnerPhase::kFailed) continue;
    if (!failed.empty()) failed += ',';
    AppendConnector(failed, *s, RunnerPhase::kFailed, s->unhealthy_reason());
  }
  if (failed.empty()) return {200, "{\"status\":\"ok\"}"};
  return Problems("failed", failed);
}

HealthResponse CheckReady(const std::vector<RunnerStatus*>& statuses) {
  if (statuses.empty()) {
    return {503,
            "{\"status\":\"not ready\",\"reason\":\"the connectors have not started yet\","
            "\"connectors\":[]}"};
  }
  std::string not_ready;
  for (const RunnerStatus* s : statuses) {
    const RunnerPhase phase = s->phase();
    const std::string reason = NotReadyReason(*s, phase);
    if (reason.empty()) continue;
    if (!not_ready.empty()) not_ready += ',';
    AppendConnector(not_ready, *s, phase, reason);
  }
  if (not_ready.empty()) return {200, "{\"status\":\"ready\"}"};
  return Problems("not ready", not_ready);
}

struct HttpServer::Impl {
  StatusProvider statuses;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> exited{false};  ///< listen_after_bind returned
  int listening_fd = -1;            ///< the socket httplib bound (owned by httplib)
};

HttpServer::HttpServer(StatusProvider statuses) : impl_(std::make_unique<Impl>()) {
  impl_->statuses = std::move(statuses);
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Start(const std::string& host, int port) {
  RC_ASSERT(!impl_->thread.joinable());
  httplib::Server& svr = impl_->server;
  // httplib's default sets SO_REUSEPORT, which would let two processes share the port silently.
  svr.set_socket_options([impl = impl_.get()](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    impl->listening_fd = sock;
  });
  // httplib takes ownership of the queue it gets from this factory.
  svr.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  svr.set_keep_alive_timeout(kKeepAliveSeconds);
  svr.set_read_timeout(kIoTimeoutSeconds, 0);
  svr.set_write_timeout(kIoTimeoutSeconds, 0);
  svr.set_payload_max_length(64 * 1024);

  const StatusProvider& statuses = impl_->statuses;
  svr.Get("/metrics", [&statuses](const httplib::Request&, httplib::Response& res) {
    // Error texts reach /health and label values reach /metrics: resolved secrets are masked.
    res.set_content(redaction::Scrub(RenderPrometheus(statuses())), kMetricsContentType);
  });
  svr.Get("/health", [&statuses](const httplib::Request&, httplib::Response& res) {
    HealthResponse h = CheckHealth(statuses());
    res.status = h.code;
    res.set_content(redaction::Scrub(h.body), kJsonContentType);
  });
  svr.Get("/ready", [&statuses](const httplib::Request&, httplib::Response& res) {
    HealthResponse h = CheckReady(statuses());
    res.status = h.code;
    res.set_content(redaction::Scrub(h.body), kJsonContentType);
  });
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("rivven-connect: /metrics /health /ready\n", "text/plain; charset=utf-8");
  });

  errno = 0;
  const int bound =
      port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound < 0) return Status::FailedPrecondition(BindError(host, port, errno));
  // httplib listens with a backlog of 5: a few scrapers connecting at once would overflow it
  // and wait a second for the SYN retry. Listening again on Linux just raises the backlog.
  if (impl_->listening_fd >= 0) ::listen(impl_->listening_fd, SOMAXCONN);

  impl_->thread = std::thread([this] {
    // The worker threads inherit this mask: a client that hangs up mid-response makes send()
    // fail with EPIPE instead of killing the process, even where SIGPIPE is not ignored.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    impl_->server.listen_after_bind();
    impl_->exited = true;
  });
  // Stop only takes effect once the accept loop runs, so wait for it before returning.
  while (!svr.is_running() && !impl_->exited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!svr.is_running()) {
    impl_->thread.join();
    return Status::Internal(fmt::format("the HTTP server on {}:{} stopped at once", host, bound));
  }
  return bound;
}

void HttpServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace rivven
