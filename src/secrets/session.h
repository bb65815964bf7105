#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/node.h"
#include "config/pipeline_config.h"
#include "secrets/renewer.h"
#include "secrets/resolve_tree.h"

namespace rivven::secrets {

class Resolver;

/// The secrets of one loaded config file, from startup to exit: reads the `secrets:` block,
/// resolves every reference of the file in place, and keeps what renewal and reloads need.
///
/// Order at load: `${VAR}` (by the loader), then the `secrets:` block's own `env:`/`file:`
/// references, then every other value (`vault:` only with `provider: vault`), then binding.
/// `provider: env` and `provider: file` need no settings: they say the file uses only `env:` and
/// `file:` references, which work under any provider.
///
/// Created and used by the thread that loads the config; StartRenewal's callback runs on the
/// renewal thread.
class SecretSession {
 public:
  /// Resolves `root` in place; every problem goes to `diags` with its path and line:column.
  static std::unique_ptr<SecretSession> Open(config::Node* root, const config::EnvLookup& env,
                                             config::Diagnostics* diags);
  ~SecretSession();

  /// Every place a reference was resolved, in file order.
  const std::vector<SecretUse>& uses() const { return uses_; }
  /// Whether Vault is in use (a renewal thread is worth starting).
  bool uses_vault() const;

  /// The `config:` block of `<section>.<name>` (section "sources" or "sinks") resolved again
  /// from the file with the current secret values, for restarting a connector after a secret
  /// changed. Errors name the path and line, like at load.
  Result<config::Node> ResolveConnectorConfig(std::string_view section, std::string_view name);

  /// Starts renewing the Vault token and re-reading leased secrets (no-op without Vault);
  /// `on_change` gets the references whose value changed. Renewal stops with the session.
  void StartRenewal(Renewer::OnChange on_change, RenewalOptions options = {});

 private:
  SecretSession() = default;

  config::Node raw_;  ///< the file after ${VAR}, before references were resolved
  std::unique_ptr<Resolver> resolver_;
  std::vector<SecretUse> uses_;
  std::unique_ptr<Renewer> renewer_;  // last: stops before the resolver goes away
};

}  // namespace rivven::secrets
