#include <cstdio>

#include "app/cli.h"
#include "base/log.h"
#include "base/redaction.h"
#include "connectors/registry.h"
#include "secrets/plaintext_check.h"
#include "secrets/session.h"

namespace rivven::app {

std::optional<PipelinePlan> LoadPlanOrReport(const GlobalOptions& g,
                                             std::unique_ptr<secrets::SecretSession>* secrets) {
  // What loading logs (Vault warnings, a readable file with plaintext secrets) already follows
  // --log-format and --log-level; `run` applies settings.log_level once the file is read.
  InitLogging(g, "");
  config::Diagnostics diags(g.config_path);
  const Registry& registry = BuiltinRegistry();
  std::unique_ptr<secrets::SecretSession> session;
  const auto resolve = [&](config::Node* root, config::Diagnostics* d) {
    session = secrets::SecretSession::Open(root, config::ProcessEnv(), d);
    const auto lookup = [&](std::string_view section,
                            std::string_view connector) -> const config::Schema* {
      const ConnectorKind kind = section == "sources" ? ConnectorKind::kSource : ConnectorKind::kSink;
      const ConnectorDescriptor* descriptor = registry.Find(kind, std::string(connector));
      return descriptor != nullptr ? &descriptor->schema : nullptr;
    };
    secrets::WarnIfReadableWithPlaintextSecrets(g.config_path,
                                                secrets::ScanSecretKeys(*root, lookup));
  };
  PipelinePlan plan = LoadAndPlan(g.config_path, config::ProcessEnv(), registry, &diags, resolve);
  if (!diags.empty()) {
    std::fputs(redaction::Scrub(diags.Format()).c_str(), stderr);
    std::fprintf(stderr, "%s: %zu error(s) in configuration\n", g.config_path.c_str(),
                 diags.size());
    return std::nullopt;
  }
  if (!g.data_dir.empty()) plan.config.broker.data_dir = g.data_dir;
  if (secrets != nullptr) *secrets = std::move(session);
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
