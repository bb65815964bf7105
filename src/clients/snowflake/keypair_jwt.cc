// Docs followed: https://docs.snowflake.com/en/developer-guide/sql-api/authenticating and
// https://docs.snowflake.com/en/user-guide/key-pair-auth (claims, fingerprint, RS256).
#include "clients/snowflake/keypair_jwt.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "base/ascii.h"
#include "base/json_escape.h"

namespace rivven::snowflake {
namespace {

EVP_PKEY* Pkey(void* p) { return static_cast<EVP_PKEY*>(p); }

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

struct PemKind {
  bool found = false;
  bool encrypted = false;
  std::string other;  // the label of a PEM block that is not an RSA/PKCS#8 private key
};

PemKind Classify(std::string_view pem) {
  PemKind k;
  if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos) {
    k.found = k.encrypted = true;
  } else if (pem.find("-----BEGIN PRIVATE KEY-----") != std::string_view::npos) {
    k.found = true;
  } else if (pem.find("-----BEGIN RSA PRIVATE KEY-----") != std::string_view::npos) {
    k.found = true;
    k.encrypted = pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
  } else if (const size_t b = pem.find("-----BEGIN "); b != std::string_view::npos) {
    const size_t e = pem.find("-----", b + 11);
    if (e != std::string_view::npos) k.other = std::string(pem.substr(b + 11, e - b - 11));
  }
  return k;
}

// Hands OpenSSL the passphrase; without a callback OpenSSL would prompt on the terminal.
int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
  const auto* pass = static_cast<const std::string*>(user);
  if (pass->empty() || static_cast<int>(pass->size()) > size) return -1;
  std::copy(pass->begin(), pass->end(), buf);
  return static_cast<int>(pass->size());
}

Status ReadKeyFile(const std::string& path, std::string* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    if (err == ENOENT) {
      return Status::NotFound("Snowflake private key file " + path + " does not exist");
    }
    return Status::FromErrno(err, "Snowflake private key file " + path + " cannot be read");
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  OPENSSL_cleanse(buf, sizeof buf);
  if (failed)
    return Status::FromErrno(err, "Snowflake private key file " + path + " cannot be read");
  return Status::Ok();
}

}  // namespace

std::string JwtAccountName(std::string_view account) {
  std::string_view a = account;
  while (!a.empty() && (a.front() == ' ' || a.front() == '\t')) a.remove_prefix(1);
  while (!a.empty() && (a.back() == ' ' || a.back() == '\t' || a.back() == '/')) a.remove_suffix(1);
  if (const size_t s = a.find("://"); s != std::string_view::npos) a.remove_prefix(s + 3);
  const std::string lower = AsciiLower(a);
  if (const size_t h = lower.find(".snowflakecomputing."); h != std::string::npos) {
    a = a.substr(0, h);
  }
  std::string out;
  if (AsciiLower(a).find(".global") != std::string::npos) {
    out = std::string(a.substr(0, a.find('-')));
  } else if (const size_t dot = a.find('.'); dot == std::string_view::npos) {
    out = std::string(a);
  } else {
    // locator.region[.cloud] (every region name has a '-') or orgname.account_name.
    const std::string_view rest = a.substr(dot + 1);
    const bool org_account =
        rest.find('.') == std::string_view::npos && rest.find('-') == std::string_view::npos;
    out = org_account ? std::string(a.substr(0, dot)) + "-" + std::string(rest)
                      : std::string(a.substr(0, dot));
  }
  return AsciiUpper(out);
}

KeyPairJwt::~KeyPairJwt() {
  if (pkey_ != nullptr) EVP_PKEY_free(Pkey(pkey_));
  OPENSSL_cleanse(cached_.data(), cached_.size());
}

Result<std::unique_ptr<KeyPairJwt>> KeyPairJwt::Load(const std::string& account,
                                                     const std::string& user,
                                                     const std::string& private_key_path,
                                                     const std::string& passphrase) {
  const std::string& path = private_key_path;
  if (account.empty()) return Status::InvalidArgument("Snowflake key-pair auth: account is empty");
  if (user.empty()) return Status::InvalidArgument("Snowflake key-pair auth: user is empty");
  if (path.empty()) {
    return Status::InvalidArgument("Snowflake key-pair auth: private_key_path is empty");
  }
  std::string pem;
  Status read = ReadKeyFile(path, &pem);
  if (!read.ok()) return read;
  struct Wipe {
    std::string* s;
    ~Wipe() { OPENSSL_cleanse(s->data(), s->size()); }
  } wipe{&pem};

  const PemKind kind = Classify(pem);
  const std::string what = "Snowflake private key file " + path;
  if (!kind.found) {
    if (!kind.other.empty()) {
      return Status::InvalidArgument(what + " holds a PEM \"" + kind.other +
                                     "\" block, not an RSA private key (expected \"BEGIN PRIVATE "
                                     "KEY\", \"BEGIN ENCRYPTED PRIVATE KEY\" or \"BEGIN RSA "
                                     "PRIVATE KEY\")");
    }
    return Status::InvalidArgument(what +
                                   " is not a PEM private key (expected \"-----BEGIN "
                                   "PRIVATE KEY-----\" or \"-----BEGIN ENCRYPTED PRIVATE "
                                   "KEY-----\")");
  }
  if (kind.encrypted && passphrase.empty()) {
    return Status::InvalidArgument(what +
                                   " is encrypted: a passphrase is required "
                                   "(private_key_passphrase)");
  }
  if (!kind.encrypted && !passphrase.empty()) {
    return Status::InvalidArgument(what +
                                   " is not encrypted, but a passphrase was given: remove "
                                   "the passphrase or use the encrypted key");
  }

  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return Status::Internal("OpenSSL could not allocate a buffer");
  std::string pass = passphrase;
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, PassphraseCallback, &pass);
  OPENSSL_cleanse(pass.data(), pass.size());
  BIO_free(bio);
  if (pkey == nullptr) {
    ERR_clear_error();
    if (kind.encrypted) {
      return Status::InvalidArgument(what + " could not be decrypted: wrong passphrase");
    }
    return Status::InvalidArgument(what + " is not a valid PEM private key");
  }
  std::unique_ptr<KeyPairJwt> jwt(new KeyPairJwt());
  jwt->pkey_ = pkey;
  if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
    const char* name = OBJ_nid2sn(EVP_PKEY_base_id(pkey));
    return Status::InvalidArgument(what + " holds a " + (name != nullptr ? name : "non-RSA") +
                                   " key; Snowflake key-pair authentication needs an RSA key");
  }

  unsigned char* der = nullptr;
  const int der_len = i2d_PUBKEY(pkey, &der);
  if (der_len <= 0) {
    ERR_clear_error();
    return Status::Internal(what + ": could not encode the public key");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const bool hashed = EVP_Digest(der, static_cast<size_t>(der_len), digest, &digest_len,
                                 EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!hashed) return Status::Internal(what + ": SHA-256 of the public key failed");

  jwt->fingerprint_ =
      "SHA256:" + Base64(std::string_view(reinterpret_cast<const char*>(digest), digest_len));
  jwt->subject_ = JwtAccountName(account) + "." + AsciiUpper(user);
  jwt->issuer_ = jwt->subject_ + "." + jwt->fingerprint_;
  return jwt;
}

std::string KeyPairJwt::Sign(int64_t iat, int64_t exp) const {
  std::string claims = "{\"iss\":";
  AppendJsonString(claims, issuer_);
  claims += ",\"sub\":";
  AppendJsonString(claims, subject_);
  claims += ",\"iat\":" + std::to_string(iat) + ",\"exp\":" + std::to_string(exp) + "}";
  const std::string input = Base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64Url(claims);

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::vector<unsigned char> sig;
  size_t sig_len = 0;
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, Pkey(pkey_)) == 1 &&
            EVP_DigestSignUpdate(ctx, input.data(), input.size()) == 1 &&
            EVP_DigestSignFinal(ctx, nullptr, &sig_len) == 1;
  if (ok) {
    sig.resize(sig_len);
    ok = EVP_DigestSignFinal(ctx, sig.data(), &sig_len) == 1;
    sig.resize(sig_len);
  }
  EVP_MD_CTX_free(ctx);
  // A loaded RSA key signs; failing here is an OpenSSL bug or out of memory.
  RC_ASSERT(ok);
  return input + "." +
         Base64Url(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

std::string KeyPairJwt::Token() { return TokenAt(std::chrono::system_clock::now()); }

std::string KeyPairJwt::TokenAt(std::chrono::system_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!cached_.empty() && cached_exp_ - now >= kMinRemaining) return cached_;
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  const auto exp = iat + std::chrono::duration_cast<std::chrono::seconds>(kLifetime);
  cached_ = Sign(iat.count(), exp.count());
  cached_exp_ = std::chrono::system_clock::time_point(exp);
  return cached_;
}

}  // namespace rivven::snowflake
