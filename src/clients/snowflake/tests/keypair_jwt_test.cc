// KeyPairJwt: key formats and their errors, the JWT's header, claims and RS256 signature checked
// with OpenSSL, the fingerprint checked against the openssl command line (as Snowflake's key-pair
// guide computes it), and the cache's refresh before expiry.
#include "clients/snowflake/keypair_jwt.h"

#include <openssl/err.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "clients/snowflake/tests/test_keys.h"

namespace rivven::snowflake {
namespace {

using namespace std::chrono_literals;
using testing::KeyFormat;
using testing::ScratchDir;
using testing::TestKey;
using testing::WriteKey;

constexpr char kPassphrase[] = "s3cret-Pass-never-in-messages";

std::string Base64UrlDecode(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  std::string out(s.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  size_t pad = 0;
  for (auto it = s.rbegin(); it != s.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

struct Jwt {
  std::string header, claims, signature, signing_input;
};

Jwt Split(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  EXPECT_NE(a, std::string::npos);
  EXPECT_NE(b, std::string::npos);
  EXPECT_EQ(token.find('='), std::string::npos) << "base64url without padding";
  return {Base64UrlDecode(token.substr(0, a)), Base64UrlDecode(token.substr(a + 1, b - a - 1)),
          Base64UrlDecode(token.substr(b + 1)), token.substr(0, b)};
}

bool VerifyRs256(EVP_PKEY* key, const Jwt& jwt) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(jwt.signature.data()),
                       jwt.signature.size(),
                       reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                       jwt.signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool HaveOpensslCli() { return !Shell("command -v openssl").empty(); }

std::unique_ptr<KeyPairJwt> MustLoad(const std::string& account, const std::string& user,
                                     const std::string& path, const std::string& pass = "") {
  auto r = KeyPairJwt::Load(account, user, path, pass);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

void ExpectSafe(const Status& s, const std::string& path) {
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(kPassphrase), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("MII"), std::string::npos) << s.message();  // no key bytes
  EXPECT_FALSE(s.retriable());
}

TEST(KeyPairJwtTest, TokenHasRs256HeaderClaimsAndAValidSignature) {
  auto jwt = MustLoad("xy12345.us-east-1", "rivven_user", TestKey().path);
  ASSERT_TRUE(jwt);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  const Jwt parts = Split(jwt->TokenAt(now));

  rapidjson::Document header;
  header.Parse(parts.header.c_str());
  ASSERT_TRUE(header.IsObject()) << parts.header;
  EXPECT_STREQ(header["alg"].GetString(), "RS256");
  EXPECT_STREQ(header["typ"].GetString(), "JWT");

  rapidjson::Document claims;
  claims.Parse(parts.claims.c_str());
  ASSERT_TRUE(claims.IsObject()) << parts.claims;
  const std::string fp = jwt->public_key_fingerprint();
  EXPECT_TRUE(fp.starts_with("SHA256:")) << fp;
  EXPECT_EQ(std::string(claims["iss"].GetString()), "XY12345.RIVVEN_USER." + fp);
  EXPECT_EQ(std::string(claims["sub"].GetString()), "XY12345.RIVVEN_USER");
  EXPECT_EQ(jwt->subject(), "XY12345.RIVVEN_USER");
  EXPECT_EQ(jwt->issuer(), "XY12345.RIVVEN_USER." + fp);
  EXPECT_EQ(claims["iat"].GetInt64(), 1'700'000'000);
  EXPECT_EQ(claims["exp"].GetInt64(), 1'700'000'000 + 59 * 60);
  EXPECT_LE(claims["exp"].GetInt64() - claims["iat"].GetInt64(), 3600);

  EXPECT_TRUE(VerifyRs256(TestKey().key, parts));
  Jwt tampered = parts;
  tampered.signing_input[tampered.signing_input.size() - 2] ^= 1;
  EXPECT_FALSE(VerifyRs256(TestKey().key, tampered));
}

TEST(KeyPairJwtTest, FingerprintMatchesOpensslCommandLine) {
  if (!HaveOpensslCli()) GTEST_SKIP() << "no openssl command";
  auto jwt = MustLoad("acct", "u", TestKey().path);
  ASSERT_TRUE(jwt);
  const std::string expected =
      Shell("openssl rsa -in '" + TestKey().path +
            "' -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -binary | openssl enc "
            "-base64");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(jwt->public_key_fingerprint(), "SHA256:" + expected);
}

TEST(KeyPairJwtTest, LoadsKeysMadeByOpensslCommandLine) {
  if (!HaveOpensslCli()) GTEST_SKIP() << "no openssl command";
  ScratchDir dir;
  const std::string plain = dir / "rsa_key.p8", enc = dir / "rsa_key_enc.p8";
  Shell("openssl genrsa 2048 2>/dev/null | openssl pkcs8 -topk8 -inform PEM -out '" + plain +
        "' -nocrypt");
  Shell("openssl genrsa 2048 2>/dev/null | openssl pkcs8 -topk8 -v2 aes256 -inform PEM -out '" +
        enc + "' -passout pass:" + kPassphrase);
  auto a = MustLoad("acct", "u", plain);
  auto b = MustLoad("acct", "u", enc, kPassphrase);
  ASSERT_TRUE(a && b);
  const std::string expected = Shell("openssl rsa -in '" + enc + "' -passin pass:" + kPassphrase +
                                     " -pubout -outform DER 2>/dev/null | openssl dgst -sha256 "
                                     "-binary | openssl enc -base64");
  EXPECT_EQ(b->public_key_fingerprint(), "SHA256:" + expected);
}

TEST(KeyPairJwtTest, EveryKeyFormatGivesTheSameFingerprint) {
  ScratchDir dir;
  EVP_PKEY* key = TestKey().key;
  const struct {
    KeyFormat format;
    const char* file;
    std::string pass;
  } cases[] = {{KeyFormat::kPkcs8, "a.p8", ""},
               {KeyFormat::kPkcs8Encrypted, "b.p8", kPassphrase},
               {KeyFormat::kPkcs1, "c.pem", ""},
               {KeyFormat::kPkcs1Encrypted, "d.pem", kPassphrase}};
  std::string fingerprint;
  for (const auto& c : cases) {
    ASSERT_TRUE(WriteKey(key, c.format, dir / c.file, c.pass)) << c.file;
    auto jwt = MustLoad("acct", "u", dir / c.file, c.pass);
    ASSERT_TRUE(jwt) << c.file;
    if (fingerprint.empty()) fingerprint = jwt->public_key_fingerprint();
    EXPECT_EQ(jwt->public_key_fingerprint(), fingerprint) << c.file;
    EXPECT_TRUE(VerifyRs256(key, Split(jwt->Token()))) << c.file;
  }
}

TEST(KeyPairJwtTest, ErrorsNameTheFileAndNeverThePassphrase) {
  ScratchDir dir;
  EVP_PKEY* key = TestKey().key;
  const std::string plain = dir / "plain.p8", enc = dir / "enc.p8", pkcs1 = dir / "enc1.pem";
  ASSERT_TRUE(WriteKey(key, KeyFormat::kPkcs8, plain));
  ASSERT_TRUE(WriteKey(key, KeyFormat::kPkcs8Encrypted, enc, kPassphrase));
  ASSERT_TRUE(WriteKey(key, KeyFormat::kPkcs1Encrypted, pkcs1, kPassphrase));

  auto missing = KeyPairJwt::Load("a", "u", dir / "nope.p8", "");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ExpectSafe(missing.status(), dir / "nope.p8");

  auto wrong = KeyPairJwt::Load("a", "u", enc, std::string(kPassphrase) + "x");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
  ExpectSafe(wrong.status(), enc);

  auto wrong1 = KeyPairJwt::Load("a", "u", pkcs1, "not-it");
  EXPECT_NE(wrong1.status().message().find("wrong passphrase"), std::string::npos);
  ExpectSafe(wrong1.status(), pkcs1);

  auto no_pass = KeyPairJwt::Load("a", "u", enc, "");
  EXPECT_EQ(no_pass.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_pass.status().message().find("is encrypted"), std::string::npos);
  ExpectSafe(no_pass.status(), enc);

  auto extra_pass = KeyPairJwt::Load("a", "u", plain, kPassphrase);
  EXPECT_EQ(extra_pass.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(extra_pass.status().message().find("not encrypted"), std::string::npos);
  ExpectSafe(extra_pass.status(), plain);

  EVP_PKEY* ec = EVP_EC_gen("P-256");
  ASSERT_NE(ec, nullptr);
  const std::string ec_path = dir / "ec.p8";
  ASSERT_TRUE(WriteKey(ec, KeyFormat::kPkcs8, ec_path));
  EVP_PKEY_free(ec);
  auto not_rsa = KeyPairJwt::Load("a", "u", ec_path, "");
  EXPECT_EQ(not_rsa.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_rsa.status().message().find("RSA"), std::string::npos);
  ExpectSafe(not_rsa.status(), ec_path);

  const std::string garbage = dir / "garbage.p8";
  { std::ofstream(garbage) << "hello\n"; }
  auto not_pem = KeyPairJwt::Load("a", "u", garbage, "");
  EXPECT_EQ(not_pem.status().code(), StatusCode::kInvalidArgument);
  ExpectSafe(not_pem.status(), garbage);

  const std::string pub = dir / "pub.pem";
  { std::ofstream(pub) << "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"; }
  auto public_only = KeyPairJwt::Load("a", "u", pub, "");
  EXPECT_NE(public_only.status().message().find("PUBLIC KEY"), std::string::npos);
  ExpectSafe(public_only.status(), pub);

  const std::string corrupt = dir / "corrupt.p8";
  { std::ofstream(corrupt) << "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"; }
  auto bad = KeyPairJwt::Load("a", "u", corrupt, "");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  ExpectSafe(bad.status(), corrupt);

  if (geteuid() != 0) {  // root reads anything
    const std::string locked = dir / "locked.p8";
    ASSERT_TRUE(WriteKey(key, KeyFormat::kPkcs8, locked));
    chmod(locked.c_str(), 0);
    auto unreadable = KeyPairJwt::Load("a", "u", locked, "");
    EXPECT_EQ(unreadable.status().code(), StatusCode::kIoError);
    ExpectSafe(unreadable.status(), locked);
  }
}

TEST(KeyPairJwtTest, CachedTokenIsReusedUntilFiveMinutesBeforeExpiry) {
  auto jwt = MustLoad("acct", "u", TestKey().path);
  ASSERT_TRUE(jwt);
  const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const std::string first = jwt->TokenAt(t0);
  EXPECT_EQ(jwt->TokenAt(t0 + 30min), first);
  EXPECT_EQ(jwt->TokenAt(t0 + 54min), first);  // 5 minutes left
  const std::string second = jwt->TokenAt(t0 + 54min + 1s);
  EXPECT_NE(second, first);
  rapidjson::Document claims;
  claims.Parse(Split(second).claims.c_str());
  EXPECT_EQ(claims["iat"].GetInt64(), 1'800'000'000 + 54 * 60 + 1);
  EXPECT_EQ(jwt->TokenAt(t0 + 60min), second);
}

TEST(KeyPairJwtTest, AccountNameForClaims) {
  EXPECT_EQ(JwtAccountName("xy12345"), "XY12345");
  EXPECT_EQ(JwtAccountName("xy12345.us-east-1"), "XY12345");
  EXPECT_EQ(JwtAccountName("xy12345.us-east-2.aws"), "XY12345");
  EXPECT_EQ(JwtAccountName("xy12345.east-us-2.azure"), "XY12345");
  EXPECT_EQ(JwtAccountName("myorg-myaccount"), "MYORG-MYACCOUNT");
  EXPECT_EQ(JwtAccountName("myorg.my_account"), "MYORG-MY_ACCOUNT");
  EXPECT_EQ(JwtAccountName("myorg-my_account.snowflakecomputing.com"), "MYORG-MY_ACCOUNT");
  EXPECT_EQ(JwtAccountName("https://xy12345.eu-west-1.snowflakecomputing.com/"), "XY12345");
  EXPECT_EQ(JwtAccountName("xy12345-abc.global"), "XY12345");
}

}  // namespace
}  // namespace rivven::snowflake
