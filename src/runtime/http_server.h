#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace rivven {

class RunnerStatus;

/// What /health or /ready answers: an HTTP status code and a JSON body.
struct HealthResponse {
  int code = 200;
  std::string body;
};

/// /health: 200 {"status":"ok"} unless a connector failed for good, then 503 listing each failed
/// connector and its error. Nothing started yet is healthy (the process is up).
HealthResponse CheckHealth(const std::vector<RunnerStatus*>& statuses);
/// /ready: 200 {"status":"ready"} when every connector is running (or has finished its bounded
/// work) and healthy; otherwise 503 listing each connector that is not, with its phase and
/// reason. 503 too while no runner has started.
HealthResponse CheckReady(const std::vector<RunnerStatus*>& statuses);

/// The HTTP endpoint of `settings.http.port`: GET /metrics (Prometheus text 0.0.4), /health and
/// /ready (JSON). Owned by the run command, which starts it before the pipeline and stops it
/// once the pipeline has drained.
///
/// Threads: Start/Stop from one thread; requests are served on a small pool of the server's own
/// threads, each calling `statuses` — so the RunnerStatus objects it returns must outlive Stop.
/// Idle, the server blocks in accept(): no CPU.
class HttpServer {
 public:
  /// Returns the runners' statuses; empty while the pipeline has not started them.
  using StatusProvider = std::function<std::vector<RunnerStatus*>()>;

  explicit HttpServer(StatusProvider statuses);
  ~HttpServer();  ///< Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds `host:port` (port 0: an ephemeral port) and serves in the background. Returns the
  /// bound port, or FailedPrecondition naming the address when it is in use or cannot be bound.
  /// The socket is not SO_REUSEPORT, so a second process on the same port fails here. Call once.
  Result<int> Start(const std::string& host, int port);
  /// Stops accepting, finishes the requests in flight and joins the threads; within about a
  /// second even when a client holds an idle keep-alive connection. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivven
