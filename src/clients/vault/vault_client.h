#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::http {
class HttpClient;
struct Request;
struct Response;
}  // namespace rivven::http

namespace rivven::vault {

/// How to reach Vault. Verification of its certificate is on unless `verify_tls` is false.
struct VaultOptions {
  std::string address;     ///< e.g. https://vault.example.com:8200 (no trailing /v1)
  std::string namespace_;  ///< sent as X-Vault-Namespace when set (Vault Enterprise)
  std::string ca_path;     ///< PEM bundle that signs Vault's certificate; empty: system store
  bool verify_tls = true;
  std::chrono::milliseconds timeout{10000};  ///< per request, connection included
  int max_retries = 4;                       ///< retries of 5xx, 429 and connection failures
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
};

/// How to log in: a token given as is, or AppRole (role_id + secret_id) at `approle_mount`.
struct VaultAuth {
  std::string token;      ///< token auth when set
  std::string role_id;    ///< AppRole auth when set
  std::string secret_id;  ///< may be empty for roles with bind_secret_id=false
  std::string approle_mount = "approle";
};

/// The client token's lifetime as Vault last reported it.
struct TokenLease {
  int64_t ttl_seconds = 0;  ///< 0: the token never expires (e.g. a root token)
  bool renewable = false;
};

/// One read of a KV secret. Values that are not JSON strings are kept as their JSON text.
struct KvSecret {
  std::map<std::string, std::string> data;
  bool kv_v2 = false;                  ///< the response had KV v2's data.data + data.metadata shape
  int64_t version = 0;                 ///< KV v2's metadata.version
  int64_t lease_duration_seconds = 0;  ///< > 0: re-read before it ends
};

/// Vault's HTTP API for what secret references need: AppRole login, token lookup and
/// renewal, and KV v1/v2 reads. Every request carries X-Vault-Token (and X-Vault-Namespace)
/// and is retried on 5xx, 429 and connection failures with exponential backoff and jitter.
/// Errors name the Vault path and what Vault said; they never contain the token, the
/// secret_id or a secret's value.
///
/// Thread-safe: calls are serialised on one kept connection (startup reads, then the renewal
/// thread). Owned by the secrets session for the life of the process.
class VaultClient {
 public:
  static Result<std::unique_ptr<VaultClient>> Create(VaultOptions options, VaultAuth auth);
  ~VaultClient();
  VaultClient(const VaultClient&) = delete;
  VaultClient& operator=(const VaultClient&) = delete;

  /// AppRole: POST /v1/auth/<mount>/login. Token auth: GET /v1/auth/token/lookup-self, which
  /// checks the token and learns its TTL. Must succeed before Read.
  Status Login();
  /// POST /v1/auth/token/renew-self: extends the token; returns its new lease.
  Result<TokenLease> RenewSelf();
  /// GET /v1/<path>. 404 (also a KV v2 version that was deleted) is kNotFound, 403
  /// (permission denied) kFailedPrecondition, both fatal; an unreachable Vault is retriable.
  Result<KvSecret> Read(std::string_view path);

  TokenLease token_lease() const;
  bool uses_approle() const { return !auth_.role_id.empty(); }

 private:
  VaultClient(VaultOptions options, VaultAuth auth, std::unique_ptr<http::HttpClient> http);
  /// Sends with retries; `what` names the request in errors ("reading secret/data/pg").
  Result<http::Response> SendWithRetries(http::Request request, std::string_view what);
  Status LoginLocked();

  VaultOptions options_;
  VaultAuth auth_;
  mutable std::mutex mu_;
  std::unique_ptr<http::HttpClient> http_;  // guarded by mu_
  std::string token_;                       // guarded by mu_; never logged
  TokenLease lease_;                        // guarded by mu_
  std::mt19937_64 rng_;
};

}  // namespace rivven::vault
