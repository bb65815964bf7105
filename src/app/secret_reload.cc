#include "app/secret_reload.h"

#include <set>
#include <string>

#include "base/log.h"
#include "base/redaction.h"
#include "runtime/pipeline.h"
#include "secrets/session.h"

namespace rivven::app {
namespace {

constexpr std::string_view kLog = "secrets";

bool Within(const std::string& path, const std::string& block) {
  return path == block || path.starts_with(block + ".") || path.starts_with(block + "[");
}

template <typename Planned>
void Restart(const Planned& p, const char* section, secrets::SecretSession& session,
             Pipeline& pipeline) {
  auto node = session.ResolveConnectorConfig(section, p.spec.name);
  if (!node.ok()) {
    log::Error(kLog, "{}.{} keeps its old configuration: {}", section, p.spec.name,
               node.status().message());
    return;
  }
  const std::string path = std::string(section) + "." + p.spec.name + ".config";
  config::Diagnostics diags;
  config::BoundConfig bound = config::Bind(p.descriptor->schema, node->IsNull() ? nullptr : &*node,
                                           path, p.spec.mark, &diags);
  if (p.descriptor->validate) p.descriptor->validate(bound, &diags);
  if (!diags.empty()) {
    log::Error(kLog, "{} keeps its old configuration: the new secret value does not fit: {}", path,
               redaction::Scrub(diags.Format()));
    return;
  }
  if (pipeline.Reconfigure(p.spec.name, std::move(bound))) {
    log::Info(kLog, "{}.{}: restarting with the changed secret", section, p.spec.name);
  }
}

}  // namespace

secrets::Renewer::OnChange MakeSecretReloader(const PipelinePlan& plan,
                                              secrets::SecretSession& session, Pipeline& pipeline) {
  return [&plan, &session, &pipeline](const std::vector<secrets::Reference>& changed) {
    const std::set<secrets::Reference> refs(changed.begin(), changed.end());
    std::set<std::string> sources, sinks;
    for (const secrets::SecretUse& use : session.uses()) {
      if (refs.count(use.ref) == 0) continue;
      bool connector = false;
      for (const auto& s : plan.sources) {
        if (Within(use.path, "sources." + s.spec.name + ".config")) {
          sources.insert(s.spec.name);
          connector = true;
        }
      }
      for (const auto& s : plan.sinks) {
        if (Within(use.path, "sinks." + s.spec.name + ".config")) {
          sinks.insert(s.spec.name);
          connector = true;
        }
      }
      if (!connector) {
        log::Warn(kLog, "{} changed in Vault; {} keeps the old value until rivven-connect restarts",
                  use.ref.text, use.path);
      }
    }
    for (const auto& s : plan.sources) {
      if (sources.count(s.spec.name) != 0) Restart(s, "sources", session, pipeline);
    }
    for (const auto& s : plan.sinks) {
      if (sinks.count(s.spec.name) != 0) Restart(s, "sinks", session, pipeline);
    }
  };
}

}  // namespace rivven::app
