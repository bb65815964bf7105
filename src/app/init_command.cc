#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli.h"

namespace rivven::app {
namespace {

struct Template {
  const char* name;
  const char* description;
  const char* text;
};

constexpr const char* kQuickstart = R"(# rivven-connect pipeline: synthetic orders -> embedded topic -> console.
# Run it:   rivven-connect run --config pipeline.yaml
# Check it: rivven-connect validate --config pipeline.yaml
version: "1.0"

# No bootstrap_servers: topics live in the embedded, durable broker under data_dir.
broker:
  data_dir: ./rivven-data

settings:
  topic:
    auto_create: true          # create missing topics on startup
    default_partitions: 1

sources:
  orders:
    connector: datagen
    topic: orders
    config:
      pattern: orders          # orders, users or pageviews
      events_per_second: 10    # 0 = as fast as possible
      max_events: 100          # 0 = run until stopped
      seed: 42                 # same seed, same data

sinks:
  console:
    connector: stdout
    topics: [orders]
    consumer_group: console-sink
    config:
      format: json             # json or text
      pretty: false
)";

constexpr const char* kFileSink = R"(# rivven-connect pipeline: synthetic page views -> embedded topic -> JSON Lines files.
version: "1.0"

broker:
  data_dir: ${RIVVEN_DATA_DIR:-./rivven-data}

sources:
  clicks:
    connector: datagen
    topic: pageviews
    topic_config:
      partitions: 3            # overrides settings.topic.default_partitions
    config:
      pattern: pageviews
      events_per_second: 0     # as fast as possible
      max_events: 100000

sinks:
  archive:
    connector: file
    topics: [pageviews]
    consumer_group: archive
    config:
      path: ./output           # one <topic>.jsonl file per topic, fsync'd before each commit
      format: jsonl
)";

const std::vector<Template>& Templates() {
  static const std::vector<Template> kTemplates = {
      {"quickstart", "datagen orders -> stdout (the default)", kQuickstart},
      {"file-sink", "datagen pageviews -> file sink", kFileSink},
  };
  return kTemplates;
}

int Init(const std::string& name, bool list) {
  if (list) {
    for (const auto& t : Templates()) std::printf("%-12s %s\n", t.name, t.description);
    return kExitOk;
  }
  for (const auto& t : Templates()) {
    if (name == t.name) {
      std::fputs(t.text, stdout);
      return kExitOk;
    }
  }
  std::fprintf(stderr, "rivven-connect init: unknown template '%s'; available:", name.c_str());
  for (const auto& t : Templates()) std::fprintf(stderr, " %s", t.name);
  std::fputc('\n', stderr);
  return kExitUsage;
}

}  // namespace

void AddInitCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* cmd = app.add_subcommand("init", "print a commented starter config");
  auto name = std::make_shared<std::string>("quickstart");
  auto list = std::make_shared<bool>(false);
  cmd->add_option("-t,--template", *name, "template name")->capture_default_str();
  cmd->add_flag("--list", *list, "list the templates");
  cmd->callback([&action, name, list] { action = [name, list] { return Init(*name, *list); }; });
}

}  // namespace rivven::app
