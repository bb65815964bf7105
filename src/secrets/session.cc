#include "secrets/session.h"

#include "base/redaction.h"
#include "secrets/resolver.h"
#include "secrets/vault_settings.h"

namespace rivven::secrets {
namespace {

config::Node* FindMutable(config::Node* map, std::string_view key) {
  if (map == nullptr || !map->IsMap()) return nullptr;
  for (auto& [k, v] : map->entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string ProviderOf(const config::Node* secrets) {
  const config::Node* provider = secrets != nullptr ? secrets->Find("provider") : nullptr;
  return provider != nullptr && provider->IsScalar() ? provider->scalar : "";
}

// Why `vault:` references cannot resolve, for their error messages.
std::string NoVaultReason(const std::string& provider) {
  if (provider.empty()) return "needs secrets.provider: vault (the file has no secrets: block)";
  if (provider == "vault") return "not resolved: secrets.config has errors (see above)";
  return "needs secrets.provider: vault (secrets.provider is '" + provider + "')";
}

}  // namespace

SecretSession::~SecretSession() = default;

bool SecretSession::uses_vault() const { return resolver_->vault() != nullptr; }

std::unique_ptr<SecretSession> SecretSession::Open(config::Node* root, const config::EnvLookup& env,
                                                   config::Diagnostics* diags) {
  std::unique_ptr<SecretSession> session(new SecretSession());
  session->raw_ = *root;
  config::Node* secrets = FindMutable(root, "secrets");
  const std::string provider = ProviderOf(secrets);
  config::Node* settings = FindMutable(secrets, "config");

  std::unique_ptr<vault::VaultClient> client;
  if (settings != nullptr) {
    // The secrets block's own references: env: and file: only.
    Resolver bootstrap(env, nullptr, NoVaultReason(provider));
    ResolveTree(settings, "secrets.config", Allowed::kEnvAndFile, bootstrap, diags,
                &session->uses_);
  }
  if (provider == "vault") {
    const config::Mark mark = secrets->KeyMark("config");
    const size_t before = diags->size();
    std::optional<VaultSettings> vs = ReadVaultSettings(settings, mark, env, diags);
    if (vs) {
      redaction::RegisterSecret(vs->auth.token);
      redaction::RegisterSecret(vs->auth.secret_id);
      auto created = vault::VaultClient::Create(vs->options, vs->auth);
      if (created.ok()) {
        client = std::move(created).value();
      } else if (diags->size() == before) {
        diags->Add("secrets.config", mark, created.status().message());
      }
    }
  } else if ((provider == "env" || provider == "file") && settings != nullptr &&
             !settings->IsNull() && !(settings->IsMap() && settings->entries.empty())) {
    diags->Add("secrets.config", settings->mark,
               "provider '" + provider + "' takes no settings (remove secrets.config)");
  }
  session->resolver_ = std::make_unique<Resolver>(env, std::move(client), NoVaultReason(provider));
  if (root->IsMap()) {
    for (auto& [key, value] : root->entries) {
      if (key == "secrets") continue;
      ResolveTree(&value, key, Allowed::kAll, *session->resolver_, diags, &session->uses_);
    }
  }
  return session;
}

Result<config::Node> SecretSession::ResolveConnectorConfig(std::string_view section,
                                                           std::string_view name) {
  const config::Node* entries = raw_.Find(section);
  const config::Node* entry = entries != nullptr ? entries->Find(name) : nullptr;
  const config::Node* block = entry != nullptr ? entry->Find("config") : nullptr;
  if (block == nullptr) return config::Node{};
  config::Node copy = *block;
  const std::string path = std::string(section) + "." + std::string(name) + ".config";
  config::Diagnostics diags;
  ResolveTree(&copy, path, Allowed::kAll, *resolver_, &diags, nullptr);
  if (!diags.empty()) return Status::InvalidArgument(diags.Format());
  return copy;
}

void SecretSession::StartRenewal(Renewer::OnChange on_change, RenewalOptions options) {
  if (!uses_vault() || renewer_ != nullptr) return;
  renewer_ = std::make_unique<Renewer>(*resolver_, std::move(on_change), options);
}

}  // namespace rivven::secrets
