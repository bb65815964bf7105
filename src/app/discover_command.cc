#include <cstdio>

#include <CLI/CLI.hpp>

#include "app/cli.h"
#include "base/json_escape.h"

namespace rivven::app {
namespace {

int Discover(const GlobalOptions& g, const std::string& source_name) {
  if (!RequireConfig(g, "discover")) return kExitUsage;
  auto plan = LoadPlanOrReport(g);
  if (!plan) return kExitUsage;
  InitLogging(g, plan->config.settings.log_level);
  for (const auto& s : plan->sources) {
    if (s.spec.name != source_name) continue;
    if (!s.descriptor->discover) {
      std::fprintf(stderr, "rivven-connect discover: connector '%s' cannot list streams\n",
                   s.spec.connector.c_str());
      return kExitRuntime;
    }
    auto streams = s.descriptor->discover(s.config);
    if (!streams.ok()) {
      std::fprintf(stderr, "rivven-connect discover: %s\n", streams.status().ToString().c_str());
      return kExitRuntime;
    }
    std::string out = "{\"source\":";
    AppendJsonString(out, source_name);
    out += ",\"streams\":[";
    bool first = true;
    for (const auto& st : *streams) {
      out += first ? "" : ",";
      first = false;
      out += "{\"name\":";
      AppendJsonString(out, st.name);
      out += ",\"json_schema\":";
      out += st.json_schema.empty() ? "{}" : st.json_schema;
      out += "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  std::fprintf(stderr, "rivven-connect discover: no source named '%s' in %s\n",
               source_name.c_str(), g.config_path.c_str());
  return kExitUsage;
}

}  // namespace

void AddDiscoverCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand("discover", "list the streams and schemas a source can read");
  auto name = std::make_shared<std::string>();
  cmd->add_option("--source", *name, "the source to ask")->required();
  cmd->callback([&g, &action, name] { action = [&g, name] { return Discover(g, *name); }; });
}

}  // namespace rivven::app
