#pragma once

// Key-pair authentication for Snowflake's REST APIs: a JWT (RS256) signed with the user's RSA
// private key. Follows
//   https://docs.snowflake.com/en/developer-guide/sql-api/authenticating
//   https://docs.snowflake.com/en/user-guide/key-pair-auth
// iss = <ACCOUNT>.<USER>.SHA256:<base64 of SHA-256 of the public key's DER SubjectPublicKeyInfo>,
// sub = <ACCOUNT>.<USER>, iat, exp (at most an hour later); account and user upper-cased.
// No OpenSSL header here.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::snowflake {

/// The account part of the JWT's iss/sub: upper-cased; an account locator loses its region and
/// cloud (`xy12345.us-east-1.aws` → `XY12345`); `orgname.account_name` becomes
/// `ORGNAME-ACCOUNT_NAME`; a `.global` identifier keeps the part before its first '-'; a pasted
/// `.snowflakecomputing.com` host suffix (and scheme) is dropped.
std::string JwtAccountName(std::string_view account);

/// The token type header value that goes with a key-pair JWT.
inline constexpr char kKeyPairJwtTokenType[] = "KEYPAIR_JWT";

/// A loaded RSA private key and the JWTs made from it. Owned by whoever builds the Snowflake
/// clients (they keep a raw pointer); Token()/TokenAt() may be called from any thread. Holds no
/// durable state.
class KeyPairJwt {
 public:
  /// Lifetime of a new token, and how long a cached one must still be valid to be handed out.
  static constexpr std::chrono::minutes kLifetime{59};
  static constexpr std::chrono::minutes kMinRemaining{5};

  /// PKCS#8 PEM ("BEGIN PRIVATE KEY", or "BEGIN ENCRYPTED PRIVATE KEY" with a non-empty
  /// passphrase; also PKCS#1 "BEGIN RSA PRIVATE KEY", legacy-encrypted or not). Errors name the
  /// file: missing (kNotFound), unreadable (kIoError), not a private key, wrong passphrase, not
  /// RSA, a passphrase given for an unencrypted key or missing for an encrypted one
  /// (kInvalidArgument); all fatal. Never the passphrase or key bytes.
  static Result<std::unique_ptr<KeyPairJwt>> Load(const std::string& account,
                                                  const std::string& user,
                                                  const std::string& private_key_path,
                                                  const std::string& passphrase);
  ~KeyPairJwt();
  KeyPairJwt(const KeyPairJwt&) = delete;
  KeyPairJwt& operator=(const KeyPairJwt&) = delete;

  const std::string& public_key_fingerprint() const { return fingerprint_; }  ///< "SHA256:<b64>"
  const std::string& issuer() const { return issuer_; }    ///< ACCOUNT.USER.SHA256:...
  const std::string& subject() const { return subject_; }  ///< ACCOUNT.USER

  /// A JWT valid for at least kMinRemaining more: the cached one, or a new one (iat = now,
  /// exp = now + kLifetime) when the cached one would expire sooner. Thread-safe.
  std::string Token();
  std::string TokenAt(std::chrono::system_clock::time_point now);

 private:
  KeyPairJwt() = default;
  std::string Sign(int64_t iat, int64_t exp) const;

  void* pkey_ = nullptr;  // EVP_PKEY*
  std::string fingerprint_, issuer_, subject_;
  std::mutex mu_;
  std::string cached_;
  std::chrono::system_clock::time_point cached_exp_{};
};

}  // namespace rivven::snowflake
