#pragma once

#include <optional>

#include "clients/vault/vault_client.h"
#include "config/diagnostics.h"
#include "config/node.h"
#include "config/pipeline_config.h"

namespace rivven::config {
class Schema;
}

namespace rivven::secrets {

/// `secrets.config` of `provider: vault`, ready for VaultClient.
struct VaultSettings {
  vault::VaultOptions options;
  vault::VaultAuth auth;
};

/// The keys of `secrets.config` for provider vault, declared once (docs and binding).
const config::Schema& VaultSettingsSchema();

/// Binds `secrets.config` (whose own `env:`/`file:` references are already resolved): unknown
/// keys, a missing address, both or neither of token and role_id, a secret_id without a
/// role_id... each go to `diags` with their path and line. Falls back to the VAULT_ADDR and
/// VAULT_TOKEN environment variables, as Vault's own tools do. `tls_skip_verify: true` logs a
/// warning. nullopt when there were errors.
std::optional<VaultSettings> ReadVaultSettings(const config::Node* block, config::Mark mark,
                                               const config::EnvLookup& env,
                                               config::Diagnostics* diags);

}  // namespace rivven::secrets
