#include <cstdio>

#include "app/cli.h"
#include "base/log.h"
#include "connectors/registry.h"

namespace rivven::app {

std::optional<PipelinePlan> LoadPlanOrReport(const GlobalOptions& g) {
  config::Diagnostics diags(g.config_path);
  PipelinePlan plan = LoadAndPlan(g.config_path, config::ProcessEnv(), BuiltinRegistry(), &diags);
  if (!diags.empty()) {
    std::fputs(diags.Format().c_str(), stderr);
    std::fprintf(stderr, "%s: %zu error(s) in configuration\n", g.config_path.c_str(),
                 diags.size());
    return std::nullopt;
  }
  if (!g.data_dir.empty()) plan.config.broker.data_dir = g.data_dir;
  return plan;
}

void InitLogging(const GlobalOptions& g, const std::string& settings_level) {
  const std::string& name = g.log_level.empty() ? settings_level : g.log_level;
  log::Init(g.log_format == "json" ? log::Format::kJson : log::Format::kText,
            log::ParseLevel(name, log::Level::kInfo));
}

bool RequireConfig(const GlobalOptions& g, const char* command) {
  if (!g.config_path.empty()) return true;
  std::fprintf(stderr, "rivven-connect %s: --config FILE is required\n", command);
  return false;
}

}  // namespace rivven::app
