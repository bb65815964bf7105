#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "base/redaction.h"

namespace rivven::app {
namespace {

int Validate(const GlobalOptions& g) {
  if (!RequireConfig(g, "validate")) return kExitUsage;
  auto plan = LoadPlanOrReport(g);
  if (!plan) return kExitUsage;
  const auto& c = plan->config;
  std::string out = fmt::format("{}: configuration OK\n", g.config_path);
  out += fmt::format("  broker: {}\n", c.broker.embedded() ? "embedded, data dir " + c.broker.data_dir
                                                             : std::string("kafka"));
  for (const auto& s : plan->sources) {
    out += fmt::format("  source {:<20} {:<14} -> {}{}\n", s.spec.name, s.spec.connector,
                       s.spec.topic, s.spec.enabled ? "" : "  (disabled)");
  }
  for (const auto& s : plan->sinks) {
    std::string topics;
    for (const auto& t : s.spec.topics) topics += (topics.empty() ? "" : ", ") + t;
    out += fmt::format("  sink   {:<20} {:<14} <- {} (group {}){}\n", s.spec.name,
                       s.spec.connector, topics, s.spec.consumer_group,
                       s.spec.enabled ? "" : "  (disabled)");
  }
  // A topic or data dir may come from a secret reference: resolved values are masked.
  std::fputs(redaction::Scrub(out).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand(
      "validate", "parse the config, resolve ${VAR} and secret references, bind every connector");
  cmd->footer("Prints every problem as FILE:LINE:COL: error: PATH: MESSAGE. Exit 2 on errors.");
  cmd->callback([&] { action = [&] { return Validate(g); }; });
}

}  // namespace rivven::app
