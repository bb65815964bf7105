#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "app/cli.h"
#include "base/redaction.h"

namespace rivven::app {
namespace {

struct CheckOptions {
  std::string source;
  std::string sink;
};

void Report(const char* what, const std::string& name, const Status& s, bool* all_ok) {
  if (s.ok()) {
    std::printf("%-6s %-24s OK\n", what, name.c_str());
  } else {
    // A server's error may echo what it was sent: resolved secrets are masked.
    std::printf("%-6s %-24s FAILED: %s\n", what, name.c_str(),
                redaction::Scrub(s.ToString()).c_str());
    *all_ok = false;
  }
}

// The embedded broker needs a writable data dir (or a creatable one); nothing is created here.
Status CheckDataDir(const std::string& dir) {
  std::filesystem::path p(dir);
  std::error_code ec;
  while (!p.empty() && !std::filesystem::exists(p, ec)) p = p.parent_path();
  if (p.empty()) p = ".";
  if (::access(p.c_str(), W_OK | X_OK) != 0) {
    return Status::FromErrno(errno, "data dir " + dir + " (checked " + p.string() + ")");
  }
  return Status::Ok();
}

int Check(const GlobalOptions& g, const CheckOptions& o) {
  if (!RequireConfig(g, "check")) return kExitUsage;
  auto plan = LoadPlanOrReport(g);
  if (!plan) return kExitUsage;
  InitLogging(g, plan->config.settings.log_level);
  bool all_ok = true;
  bool matched = o.source.empty() && o.sink.empty();
  if (matched) {
    Report("broker", plan->config.broker.embedded() ? "embedded" : "kafka",
           plan->config.broker.embedded()
               ? CheckDataDir(plan->config.broker.data_dir)
               : Status::FailedPrecondition("no Kafka backend in this build"),
           &all_ok);
  }
  for (const auto& s : plan->sources) {
    if (!o.source.empty() ? s.spec.name != o.source : !o.sink.empty()) continue;
    matched = true;
    Report("source", s.spec.name, s.descriptor->check ? s.descriptor->check(s.config) : Status::Ok(),
           &all_ok);
  }
  for (const auto& s : plan->sinks) {
    if (!o.sink.empty() ? s.spec.name != o.sink : !o.source.empty()) continue;
    matched = true;
    Report("sink", s.spec.name, s.descriptor->check ? s.descriptor->check(s.config) : Status::Ok(),
           &all_ok);
  }
  if (!matched) {
    std::fprintf(stderr, "rivven-connect check: no %s named '%s' in %s\n",
                 o.source.empty() ? "sink" : "source",
                 (o.source.empty() ? o.sink : o.source).c_str(), g.config_path.c_str());
    return kExitUsage;
  }
  return all_ok ? kExitOk : kExitRuntime;
}

}  // namespace

void AddCheckCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand("check", "connect to each external system and report OK/FAILED");
  auto o = std::make_shared<CheckOptions>();  // shared: the CLI callback outlives this scope
  cmd->add_option("--source", o->source, "check only this source");
  cmd->add_option("--sink", o->sink, "check only this sink");
  cmd->footer("No side effects. Exit 1 when any check failed.");
  cmd->callback([&g, &action, o] { action = [&g, o] { return Check(g, *o); }; });
}

}  // namespace rivven::app
