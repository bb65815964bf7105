#include "secrets/vault_settings.h"

#include "base/log.h"
#include "config/schema.h"

namespace rivven::secrets {

using config::Key;
using config::ValueType;

const config::Schema& VaultSettingsSchema() {
  static const config::Schema schema = [] {
    config::Schema s;
    s.Add(Key("address", ValueType::kString,
              "Vault's URL, e.g. https://vault.example.com:8200; default: $VAULT_ADDR."))
        .Add(Key("token", ValueType::kString,
                 "Token auth: the client token; default: $VAULT_TOKEN when no role_id is set.")
                 .Secret())
        .Add(Key("role_id", ValueType::kString, "AppRole auth: the role's RoleID."))
        .Add(Key("secret_id", ValueType::kString,
                 "AppRole auth: the SecretID (omit for roles with bind_secret_id=false).")
                 .Secret())
        .Add(Key("approle_mount", ValueType::kString, "Path the AppRole auth method is mounted at.")
                 .Default("approle"))
        .Add(Key("namespace", ValueType::kString,
                 "Vault Enterprise namespace, sent as X-Vault-Namespace."))
        .Add(Key("ca_path", ValueType::kString,
                 "PEM file of the CA that signs Vault's certificate; default: the system's."))
        .Add(Key("tls_skip_verify", ValueType::kBool,
                 "Do not verify Vault's certificate (logs a warning). For tests only.")
                 .Default("false"))
        .Add(Key("timeout_ms", ValueType::kInt, "Per request, connection included.")
                 .Default("10000")
                 .Min(100)
                 .Max(300000))
        .Add(Key("max_retries", ValueType::kInt,
                 "Retries of 5xx, 429 and connection failures, with exponential backoff.")
                 .Default("4")
                 .Min(0)
                 .Max(20));
    return s;
  }();
  return schema;
}

std::optional<VaultSettings> ReadVaultSettings(const config::Node* block, config::Mark mark,
                                               const config::EnvLookup& env,
                                               config::Diagnostics* diags) {
  const size_t errors_before = diags->size();
  const std::string path = "secrets.config";
  const config::BoundConfig b = config::Bind(VaultSettingsSchema(), block, path, mark, diags);
  VaultSettings out;
  out.options.address = b.GetString("address");
  if (out.options.address.empty()) out.options.address = env("VAULT_ADDR").value_or("");
  if (out.options.address.empty()) {
    diags->Add(path, mark,
               "provider vault needs 'address' (or the VAULT_ADDR environment variable)");
  } else if (!out.options.address.starts_with("https://") &&
             !out.options.address.starts_with("http://")) {
    diags->Add(config::JoinPath(path, "address"), b.MarkOf("address"),
               "'" + out.options.address + "' must start with https:// (or http://)");
  }
  out.options.namespace_ = b.GetString("namespace");
  out.options.ca_path = b.GetString("ca_path");
  out.options.verify_tls = !b.GetBool("tls_skip_verify");
  out.options.timeout = std::chrono::milliseconds(b.GetInt("timeout_ms"));
  out.options.max_retries = static_cast<int>(b.GetInt("max_retries"));
  out.auth.token = b.GetString("token");
  out.auth.role_id = b.GetString("role_id");
  out.auth.secret_id = b.GetString("secret_id");
  out.auth.approle_mount = b.GetString("approle_mount");
  if (!out.auth.token.empty() && !out.auth.role_id.empty()) {
    diags->Add(config::JoinPath(path, "token"), b.MarkOf("token"),
               "set either token or role_id (AppRole), not both");
  }
  if (!out.auth.secret_id.empty() && out.auth.role_id.empty()) {
    diags->Add(config::JoinPath(path, "secret_id"), b.MarkOf("secret_id"),
               "secret_id needs role_id");
  }
  if (out.auth.token.empty() && out.auth.role_id.empty()) {
    out.auth.token = env("VAULT_TOKEN").value_or("");
    if (out.auth.token.empty()) {
      diags->Add(path, mark,
                 "provider vault needs 'role_id' and 'secret_id' (AppRole) or 'token' (or the "
                 "VAULT_TOKEN environment variable)");
    }
  }
  if (diags->size() != errors_before) return std::nullopt;
  if (!out.options.verify_tls) {
    log::Warn("secrets",
              "secrets.config.tls_skip_verify is true: Vault's certificate is not verified, so "
              "anyone on the network path can read the secrets; use ca_path instead");
  }
  return out;
}

}  // namespace rivven::secrets
