#include "secrets/reference.h"

#include <gtest/gtest.h>

namespace rivven::secrets {
namespace {

std::optional<Reference> Parse(std::string_view text) {
  auto r = ParseReference(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

TEST(SecretReference, VaultPathAndKey) {
  auto ref = Parse("vault:secret/data/postgres#password");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->kind, Reference::Kind::kVault);
  EXPECT_EQ(ref->path, "secret/data/postgres");
  EXPECT_EQ(ref->key, "password");
  EXPECT_EQ(ref->text, "vault:secret/data/postgres#password");
}

TEST(SecretReference, MalformedVaultValuesAreErrors) {
  for (const char* bad :
       {"vault:secret/data/pg", "vault:#password", "vault:secret/pg#", "vault:secret/ pg#password",
        "vault:/secret/pg#password", "vault:secret/pg#a#b", "vault:"}) {
    auto r = ParseReference(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              std::string("malformed secret reference '") + bad +
                  "': expected vault:<path>#<key>, e.g. vault:secret/data/postgres#password");
  }
}

TEST(SecretReference, EnvNames) {
  auto ref = Parse("env:PG_PASSWORD_2");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->kind, Reference::Kind::kEnv);
  EXPECT_EQ(ref->path, "PG_PASSWORD_2");
  for (const char* literal :
       {"env:", "env:1ABC", "env: production", "env:A-B", "environment:X", "ENV:X", " env:X"}) {
    EXPECT_FALSE(Parse(literal)) << literal;
  }
}

TEST(SecretReference, FileNeedsOneSlashAbsolutePaths) {
  auto ref = Parse("file:/run/secrets/pg password");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->kind, Reference::Kind::kFile);
  EXPECT_EQ(ref->path, "/run/secrets/pg password");
  // URLs and relative (SQLite-style) URIs stay ordinary values.
  for (const char* literal : {"file:///data/in.csv", "file://host/share/x", "file:data.db",
                              "file:/", "file:", "https://example.com/file:/x"}) {
    EXPECT_FALSE(Parse(literal)) << literal;
  }
}

TEST(SecretReference, OrdinaryValuesAreNotReferences) {
  for (const char* literal : {"", "hunter2", "postgres://u:p@h/db", "value.amount > 100",
                              "Bearer vault:secret/data/x#y", "s3://bucket/vault:x#y"}) {
    EXPECT_FALSE(Parse(literal)) << literal;
  }
}

}  // namespace
}  // namespace rivven::secrets
