#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli.h"
#include "app/secret_reload.h"
#include "base/log.h"
#include "runtime/broker_factory.h"
#include "runtime/http_server.h"
#include "runtime/pipeline.h"
#include "runtime/progress_reporter.h"
#include "secrets/session.h"

namespace rivven::app {
namespace {

constexpr std::string_view kLog = "run";
/// settings.http has only a port: listen on every interface, as Prometheus exporters do.

/// Turns SIGINT/SIGTERM into a graceful pipeline stop. A second signal, or a drain that
/// outlives settings.shutdown_timeout_ms, ends the process at once with exit code 1 — data
/// stays safe because nothing is acknowledged before it is durable.
class SignalWatcher {
 public:
  SignalWatcher(Pipeline& pipeline, int64_t shutdown_timeout_ms)
      : pipeline_(pipeline), shutdown_timeout_ms_(shutdown_timeout_ms) {
    thread_ = std::jthread([this](std::stop_token st) { Loop(st); });
  }

  static void BlockSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  void Loop(std::stop_token stop) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int received = 0;
    std::jthread watchdog;
    while (!stop.stop_requested()) {
      timespec ts{0, 200 * 1000 * 1000};
      const int sig = sigtimedwait(&set, nullptr, &ts);
      if (sig < 0) continue;
      ++received;
      if (received == 1) {
        log::Info(kLog, "received {}; draining (send the signal again to exit immediately)",
                  sig == SIGINT ? "SIGINT" : "SIGTERM");
        pipeline_.RequestStop();
        const int64_t timeout = shutdown_timeout_ms_;
        watchdog = std::jthread([timeout](std::stop_token st) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock<std::mutex> lock(mu);
          if (!cv.wait_for(lock, st, std::chrono::milliseconds(timeout), [] { return false; }) &&
              !st.stop_requested()) {
            log::Error(kLog, "drain exceeded settings.shutdown_timeout_ms={}; exiting", timeout);
            _exit(kExitRuntime);
          }
        });
      } else {
        log::Warn(kLog, "second signal; exiting without draining");
        _exit(kExitRuntime);
      }
    }
  }

  Pipeline& pipeline_;
  int64_t shutdown_timeout_ms_;
  std::jthread thread_;
};

int Run(const GlobalOptions& g) {
  if (!RequireConfig(g, "run")) return kExitUsage;
  std::unique_ptr<secrets::SecretSession> session;
  auto plan = LoadPlanOrReport(g, &session);
  if (!plan) return kExitUsage;
  InitLogging(g, plan->config.settings.log_level);
  SignalWatcher::BlockSignals();  // before any thread starts, so all inherit the mask

  // Bound before anything else starts, so a taken port fails the run at once. Until the
  // pipeline has created its runners the endpoints see no statuses (/ready answers 503).
  std::atomic<Pipeline*> live{nullptr};
  const auto statuses = [&live] {
    Pipeline* p = live.load();
    return p != nullptr ? p->Statuses() : std::vector<RunnerStatus*>{};
  };
  HttpServer http(statuses);
  if (const int port = plan->config.settings.http_port; port > 0) {
    const std::string& bind = plan->config.settings.http_bind;
    auto bound = http.Start(bind, port);
    if (!bound.ok()) {
      log::Error(kLog, "settings.http.port {}: {}", port, bound.status().message());
      return kExitRuntime;
    }
    log::Info(kLog, "serving /metrics, /health and /ready on http://{}:{}", bind,
              *bound);
  }

  auto broker = OpenBroker(plan->config.broker, plan->config.settings.topic);
  if (!broker.ok()) {
    log::Error(kLog, "{}", broker.status().ToString());
    return kExitRuntime;
  }
  PipelineOptions options;
  options.embedded_broker = plan->config.broker.embedded();
  options.source.data_dir = plan->config.broker.data_dir;
  options.sink.data_dir = plan->config.broker.data_dir;

  Status result;
  {
    Pipeline pipeline(*plan, **broker, options);
    live = &pipeline;
    SignalWatcher watcher(pipeline, plan->config.settings.shutdown_timeout_ms);
    // Renews the Vault token and re-reads leased secrets; a changed value restarts the
    // connectors that use it. Stopped below, before the pipeline goes away.
    if (session) session->StartRenewal(MakeSecretReloader(*plan, *session, pipeline));
    ProgressReporter progress(statuses, ProgressReporterOptions::ForStderr(g.log_format == "json"));
    progress.Start();
    result = pipeline.Run();
    progress.Stop();
    session.reset();
    // The endpoints served through the drain; they stop before the statuses they read go away.
    http.Stop();
    live = nullptr;
  }
  Status closed = (*broker)->Close();
  if (!result.ok()) {
    log::Error(kLog, "{}", result.ToString());
    return kExitRuntime;
  }
  if (!closed.ok()) {
    log::Error(kLog, "closing broker: {}", closed.ToString());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand("run", "run every enabled source and sink");
  cmd->footer(
      "Runs until every source is done (bounded sources) or until SIGINT/SIGTERM, then drains.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.");
  cmd->callback([&] { action = [&] { return Run(g); }; });
}

}  // namespace rivven::app
