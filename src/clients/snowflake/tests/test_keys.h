#pragma once

// RSA (and EC) keys for the Snowflake client tests, made with OpenSSL in the test process and
// written as PEM files into a temporary directory.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rivven::snowflake::testing {

/// A directory under /tmp, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/rivven-snowflake-test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

enum class KeyFormat { kPkcs8, kPkcs8Encrypted, kPkcs1, kPkcs1Encrypted };

inline EVP_PKEY* NewRsaKey() { return EVP_RSA_gen(2048); }

/// Writes `key` to `path` in `format` (encrypted ones with `passphrase`, AES-256).
inline bool WriteKey(EVP_PKEY* key, KeyFormat format, const std::string& path,
                     const std::string& passphrase = "") {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) return false;
  auto* pass = reinterpret_cast<unsigned char*>(const_cast<char*>(passphrase.c_str()));
  const int len = static_cast<int>(passphrase.size());
  int ok = 0;
  switch (format) {
    case KeyFormat::kPkcs8:
      ok = PEM_write_bio_PKCS8PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kPkcs8Encrypted:
      ok = PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                         const_cast<char*>(passphrase.c_str()));
      break;
    case KeyFormat::kPkcs1:
      ok = PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kPkcs1Encrypted:
      ok = PEM_write_bio_PrivateKey_traditional(bio, key, EVP_aes_256_cbc(), pass, len, nullptr,
                                                nullptr);
      break;
  }
  BIO_free(bio);
  return ok == 1;
}

/// One shared RSA key (2048-bit generation takes a moment), its PKCS#8 file in a directory that
/// lives as long as the test binary.
struct SharedKey {
  EVP_PKEY* key = NewRsaKey();
  ScratchDir dir;
  std::string path = dir / "rsa_key.p8";
  SharedKey() { WriteKey(key, KeyFormat::kPkcs8, path); }
  ~SharedKey() { EVP_PKEY_free(key); }
};
inline SharedKey& TestKey() {
  static SharedKey k;
  return k;
}

}  // namespace rivven::snowflake::testing
