#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/vault/vault_client.h"
#include "config/pipeline_config.h"
#include "secrets/reference.h"
#include "secrets/secret.h"

namespace rivven::secrets {

/// Turns references into values: `env:` from the environment, `file:` from a file (trailing
/// line breaks dropped), `vault:` from Vault (one read per path, shared by every key of it).
/// Every value it returns is registered with base/redaction so no output shows it.
///
/// Owned by the SecretSession. Used by the loading thread at startup, then by the renewal
/// thread; calls are serialised by a mutex.
class Resolver {
 public:
  /// `vault` may be null: `vault:` references then fail with `no_vault_reason` ("needs
  /// secrets.provider: vault ...").
  Resolver(config::EnvLookup env, std::unique_ptr<vault::VaultClient> vault,
           std::string no_vault_reason);
  ~Resolver();

  /// The value of `ref`, or an error whose message starts with "secret reference '<ref>': "
  /// and never contains a secret value.
  Result<Secret> Resolve(const Reference& ref);

  /// A Vault path read with a lease (lease_duration > 0) and when that read happened.
  struct Lease {
    std::string path;
    std::chrono::steady_clock::time_point read_at;
    std::chrono::seconds duration{0};
  };
  std::vector<Lease> Leases() const;

  /// Reads `path` from Vault again. Returns the references of that path (resolved before)
  /// whose value changed; the new values replace the old ones.
  Result<std::vector<Reference>> Refresh(const std::string& path);

  /// The Vault client, or null without provider vault.
  vault::VaultClient* vault() { return vault_.get(); }

 private:
  Result<Secret> ResolveVault(const Reference& ref);
  /// Logs in once (the outcome is kept: a failed login fails every vault: reference alike).
  Status EnsureLoggedIn();

  struct PathRead {
    Result<vault::KvSecret> secret = Status::Internal("not read");
    std::chrono::steady_clock::time_point read_at;
  };

  config::EnvLookup env_;
  std::unique_ptr<vault::VaultClient> vault_;
  std::string no_vault_reason_;
  mutable std::mutex mu_;
  std::optional<Status> login_;            // guarded by mu_
  std::map<std::string, PathRead> paths_;  // guarded by mu_
  std::map<Reference, Secret> resolved_;   // guarded by mu_: vault: values handed out
};

}  // namespace rivven::secrets
