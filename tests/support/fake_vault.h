#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace httplib {
class Server;
class Request;
class Response;
}  // namespace httplib

// FakeVault: a local stand-in for HashiCorp Vault's HTTP API, for the secrets tests. Vault cannot
// run here, so the fake follows the published API documentation (developer.hashicorp.com/vault/
// api-docs: auth/approle "Login with AppRole", auth/token "Lookup a token (self)" and "Renew a
// token (self)", secret/kv/kv-v1 "Read secret", secret/kv/kv-v2 "Read secret version") and checks
// strictly what a client sends; every deviation is answered with an error and kept in
// violations(), so a test can assert there were none.
//
// Requests:
//   POST /v1/auth/<mount>/login        body exactly {"role_id": str[, "secret_id": str]}, JSON;
//                                      wrong credentials: 400 {"errors":["invalid role or secret
//                                      ID"]} 200 {"auth":{"client_token","accessor","policies",
//                                      "token_policies","lease_duration","renewable","metadata"}}
//   GET  /v1/auth/token/lookup-self    200 {"data":{"id","ttl","renewable","policies",..}}
//   POST /v1/auth/token/renew-self     body a JSON object (optional "increment"); 200 {"auth":{..}}
//                                      with the TTL renewed (capped by max_token_ttl); a token
//                                      that is not renewable: 400
//   GET  /v1/<mount>/data/<path>       KV v2 mount: 200 {"data":{"data":{..},"metadata":{
//                                      "created_time","custom_metadata","deletion_time",
//                                      "destroyed","version"}},"lease_duration":0,..};
//                                      a deleted latest version: 404 with data null + metadata
//   GET  /v1/<mount>/<path>            KV v1 mount: 200 {"data":{..},"lease_duration":N,..}
// Every request but login needs X-Vault-Token naming a live token (else 403 {"errors":
// ["permission denied"]}); with a namespace set, every request needs X-Vault-Namespace equal to
// it (else 403 and a violation). Other methods or paths: 405 / 404 and a violation.
//
// Fault injection: Deny(path) answers 403 for reads of a path; FailNext(n, status) answers the
// next n requests with `status` (500, 503, 429: retriable for clients). Served over plain HTTP,
// or over TLS with a certificate and key (tests/support/test_ca.h).
// Thread-safe: tests configure it while clients talk to it.
namespace rivven::testing {

class HttpTestServer;
class HttpsTestServer;
class TestCa;

class FakeVault {
 public:
  struct Options {
    std::string role_id = "role-1234";
    std::string secret_id = "secret-id-5678";
    std::string approle_mount = "approle";
    std::string namespace_;                 ///< required in X-Vault-Namespace when set
    int64_t token_ttl_seconds = 3600;       ///< of tokens issued by login and by renewal
    int64_t max_token_ttl_seconds = 86400;  ///< renewals never extend past this from login
    bool token_renewable = true;
  };

  /// Plain HTTP on 127.0.0.1, mounts `secret` (KV v2) and `kv` (KV v1).
  explicit FakeVault(Options options);
  /// Over TLS with the TestCa's localhost/127.0.0.1 certificate.
  FakeVault(Options options, const TestCa& ca);
  ~FakeVault();
  FakeVault(const FakeVault&) = delete;
  FakeVault& operator=(const FakeVault&) = delete;

  /// http(s)://127.0.0.1:<port>
  std::string address() const;

  /// Writes a new version of a KV v2 secret (mount "secret") / a KV v1 secret (mount "kv",
  /// returned with `lease_duration`). `path` is the secret's path under the mount.
  void PutKv2(const std::string& path, const std::map<std::string, std::string>& data);
  void PutKv1(const std::string& path, const std::map<std::string, std::string>& data,
              int64_t lease_duration_seconds = 2764800);
  /// Soft-deletes the latest version of a KV v2 secret.
  void DeleteKv2Latest(const std::string& path);
  /// A token that token auth may use.
  void AddToken(const std::string& token, int64_t ttl_seconds, bool renewable);
  /// Reads of this full API path (e.g. "secret/data/pg") get 403.
  void Deny(const std::string& api_path);
  /// The next `n` requests get `status` with {"errors":["injected"]}.
  void FailNext(int n, int status);
  /// Revokes every token (as if they all expired).
  void RevokeAllTokens();

  int logins() const;
  int renewals() const;
  int lookups() const;
  int reads(const std::string& api_path) const;
  int requests() const;
  /// Requests that deviated from the documented API, one line each.
  std::vector<std::string> violations() const;

 private:
  struct Token {
    std::chrono::steady_clock::time_point expires;  ///< max() when the TTL is 0
    std::chrono::steady_clock::time_point max_expires;
    bool renewable = true;
  };
  struct Kv {
    std::map<std::string, std::string> data;
    int version = 0;
    bool deleted = false;
    int64_t lease_duration = 0;
  };

  void Install(httplib::Server& server);
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Violation(httplib::Response& res, int status, const std::string& what);
  bool Authorized(const httplib::Request& req) const;
  std::string IssueTokenLocked();
  void Login(const httplib::Request& req, httplib::Response& res);
  void LookupSelf(const httplib::Request& req, httplib::Response& res);
  void RenewSelf(const httplib::Request& req, httplib::Response& res);
  void ReadKv(const std::string& api_path, httplib::Response& res);

  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Token> tokens_;
  std::map<std::string, Kv> kv2_;  ///< by path under "secret/"
  std::map<std::string, Kv> kv1_;  ///< by path under "kv/"
  std::map<std::string, int> reads_;
  std::vector<std::string> denied_;
  std::vector<std::string> violations_;
  int fail_next_ = 0;
  int fail_status_ = 500;
  int logins_ = 0, renewals_ = 0, lookups_ = 0, requests_ = 0, issued_ = 0;
  // Last: stops serving (and its handlers finish) before the state above goes away.
  std::unique_ptr<HttpTestServer> http_;
  std::unique_ptr<HttpsTestServer> https_;
};

}  // namespace rivven::testing
