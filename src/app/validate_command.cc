#include <cstdio>

#include <CLI/CLI.hpp>

#include "app/cli.h"

namespace rivven::app {
namespace {

int Validate(const GlobalOptions& g) {
  if (!RequireConfig(g, "validate")) return kExitUsage;
  auto plan = LoadPlanOrReport(g);
  if (!plan) return kExitUsage;
  const auto& c = plan->config;
  std::printf("%s: configuration OK\n", g.config_path.c_str());
  std::printf("  broker: %s\n", c.broker.embedded()
                                     ? ("embedded, data dir " + c.broker.data_dir).c_str()
                                     : "kafka");
  for (const auto& s : plan->sources) {
    std::printf("  source %-20s %-14s -> %s%s\n", s.spec.name.c_str(), s.spec.connector.c_str(),
                s.spec.topic.c_str(), s.spec.enabled ? "" : "  (disabled)");
  }
  for (const auto& s : plan->sinks) {
    std::string topics;
    for (const auto& t : s.spec.topics) topics += (topics.empty() ? "" : ", ") + t;
    std::printf("  sink   %-20s %-14s <- %s (group %s)%s\n", s.spec.name.c_str(),
                s.spec.connector.c_str(), topics.c_str(), s.spec.consumer_group.c_str(),
                s.spec.enabled ? "" : "  (disabled)");
  }
  return kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand(
      "validate", "parse the config, resolve ${VAR}, bind every connector; touch nothing");
  cmd->footer("Prints every problem as FILE:LINE:COL: error: PATH: MESSAGE. Exit 2 on errors.");
  cmd->callback([&] { action = [&] { return Validate(g); }; });
}

}  // namespace rivven::app
