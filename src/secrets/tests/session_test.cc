#include "secrets/session.h"

#include <gtest/gtest.h>

#include <map>

#include "base/redaction.h"
#include "support/fake_vault.h"
#include "support/process.h"

namespace rivven::secrets {
namespace {

using testing::FakeVault;

config::EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct Loaded {
  config::Node root;
  config::Diagnostics diags{"p.yaml"};
  std::unique_ptr<SecretSession> session;
};

std::unique_ptr<Loaded> Load(const std::string& yaml, const config::EnvLookup& env) {
  auto out = std::make_unique<Loaded>();
  out->root = config::ParseYaml(yaml, env, &out->diags).value_or(config::Node{});
  out->session = SecretSession::Open(&out->root, env, &out->diags);
  return out;
}

std::string At(const config::Node& root, std::initializer_list<std::string_view> path) {
  const config::Node* n = &root;
  for (std::string_view p : path) {
    n = n->Find(p);
    if (n == nullptr) return "<missing>";
  }
  return n->scalar;
}

std::string VaultBlock(const FakeVault& fake) {
  return "secrets:\n  provider: vault\n  config:\n    address: " + fake.address() +
         "\n    role_id: env:ROLE\n    secret_id: ${SECRET_ID}\n    max_retries: 1\n";
}

class SecretSessionTest : public ::testing::Test {
 protected:
  void TearDown() override { redaction::ResetForTesting(); }
  FakeVault fake_{{}};
  config::EnvLookup env_ = MapEnv(
      {{"ROLE", "role-1234"}, {"SECRET_ID", "secret-id-5678"}, {"API_TOKEN", "env-token-abc"}});
};

TEST_F(SecretSessionTest, ResolvesVaultEnvAndFileEverywhere) {
  fake_.PutKv2("postgres", {{"password", "kv2-pass-1"}, {"user", "rivven"}});
  fake_.PutKv1("legacy", {{"key", "kv1-key-1"}}, 0);
  testing::TempDir dir;
  testing::WriteFile(dir / "token", "file-token-xyz\n");
  auto l = Load(VaultBlock(fake_) +
                    "broker:\n  sasl:\n    password: vault:secret/data/postgres#password\n"
                    "sources:\n  db:\n    connector: postgres-cdc\n    config:\n"
                    "      password: vault:secret/data/postgres#password\n"
                    "      user: vault:secret/data/postgres#user\n"
                    "      hosts: [a, 'env:API_TOKEN']\n"
                    "      url: file:///not/a/reference\n"
                    "sinks:\n  out:\n    connector: http-webhook\n    config:\n"
                    "      headers:\n        X-Key: vault:kv/legacy#key\n"
                    "        X-File: file:" +
                    dir / "token" + "\n",
                env_);
  ASSERT_TRUE(l->diags.empty()) << l->diags.Format();
  EXPECT_EQ(At(l->root, {"broker", "sasl", "password"}), "kv2-pass-1");
  EXPECT_EQ(At(l->root, {"sources", "db", "config", "password"}), "kv2-pass-1");
  EXPECT_EQ(At(l->root, {"sources", "db", "config", "user"}), "rivven");
  EXPECT_EQ(l->root.Find("sources")->Find("db")->Find("config")->Find("hosts")->items[1].scalar,
            "env-token-abc");
  EXPECT_EQ(At(l->root, {"sources", "db", "config", "url"}), "file:///not/a/reference");
  EXPECT_EQ(At(l->root, {"sinks", "out", "config", "headers", "X-Key"}), "kv1-key-1");
  EXPECT_EQ(At(l->root, {"sinks", "out", "config", "headers", "X-File"}), "file-token-xyz");
  // The secrets block resolved its own env: reference; ${VAR} was the loader's.
  EXPECT_EQ(At(l->root, {"secrets", "config", "role_id"}), "role-1234");
  // One login, one read per path however many keys and places use it.
  EXPECT_EQ(fake_.logins(), 1);
  EXPECT_EQ(fake_.reads("secret/data/postgres"), 1);
  EXPECT_EQ(fake_.reads("kv/legacy"), 1);
  EXPECT_TRUE(fake_.violations().empty());
  ASSERT_EQ(l->session->uses().size(), 7u);
  EXPECT_EQ(l->session->uses()[0].path, "secrets.config.role_id");
  EXPECT_EQ(l->session->uses()[1].path, "broker.sasl.password");
  EXPECT_EQ(l->session->uses()[4].path, "sources.db.config.hosts[1]");
  // Every resolved value is masked from now on.
  EXPECT_EQ(redaction::Scrub("kv2-pass-1 rivven env-token-abc kv1-key-1 file-token-xyz"),
            "*** *** *** *** ***");
}

TEST_F(SecretSessionTest, ErrorsNameTheReferenceAndItsPlaceNeverTheValue) {
  fake_.PutKv2("pg", {{"user", "u-000001"}});
  fake_.PutKv2("locked", {{"password", "never-seen-1"}});
  fake_.Deny("secret/data/locked");
  auto l = Load(VaultBlock(fake_) +
                    "sources:\n  db:\n    connector: postgres-cdc\n    config:\n"
                    "      password: vault:secret/data/pg#password\n"
                    "      other: vault:secret/data/missing#password\n"
                    "      locked: vault:secret/data/locked#password\n"
                    "      token: env:NOT_SET\n"
                    "      file: file:/nonexistent/secret\n"
                    "      bad: vault:secret/data/pg\n",
                env_);
  EXPECT_EQ(l->diags.Format(),
            "p.yaml:12:17: error: sources.db.config.password: secret reference "
            "'vault:secret/data/pg#password': the secret at 'secret/data/pg' has no key "
            "'password' (its keys: user)\n"
            "p.yaml:13:14: error: sources.db.config.other: secret reference "
            "'vault:secret/data/missing#password': reading 'secret/data/missing' from Vault: no "
            "secret at this path (HTTP 404)\n"
            "p.yaml:14:15: error: sources.db.config.locked: secret reference "
            "'vault:secret/data/locked#password': reading 'secret/data/locked' from Vault: "
            "permission denied (HTTP 403); the token's policies do not allow reading this path\n"
            "p.yaml:15:14: error: sources.db.config.token: secret reference 'env:NOT_SET': "
            "environment variable 'NOT_SET' is not set\n"
            "p.yaml:16:13: error: sources.db.config.file: secret reference "
            "'file:/nonexistent/secret': cannot read '/nonexistent/secret': No such file or "
            "directory\n"
            "p.yaml:17:12: error: sources.db.config.bad: malformed secret reference "
            "'vault:secret/data/pg': expected vault:<path>#<key>, e.g. "
            "vault:secret/data/postgres#password\n");
}

TEST_F(SecretSessionTest, UnreachableVaultFailsEachReferenceWithOneLoginAttempt) {
  const std::string address = "http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  auto l = Load("secrets:\n  provider: vault\n  config:\n    address: " + address +
                    "\n    token: s.tok-123\n    max_retries: 0\n"
                    "sinks:\n  s:\n    connector: stdout\n    config:\n"
                    "      a: vault:secret/data/pg#password\n"
                    "      b: vault:secret/data/pg#user\n",
                env_);
  ASSERT_EQ(l->diags.size(), 2u) << l->diags.Format();
  for (const auto& d : l->diags.items()) {
    EXPECT_TRUE(d.message.starts_with("secret reference 'vault:secret/data/pg#"));
    EXPECT_NE(d.message.find("checking the Vault token (auth/token/lookup-self): Vault at " +
                             address + " is unreachable"),
              std::string::npos)
        << d.message;
    EXPECT_EQ(d.message.find("s.tok-123"), std::string::npos);
  }
  EXPECT_EQ(l->diags.items()[0].mark.line, 11);
  EXPECT_EQ(l->diags.items()[1].mark.line, 12);
}

TEST_F(SecretSessionTest, VaultReferenceWithoutProviderVaultIsAClearError) {
  auto none = Load(
      "sinks:\n  s:\n    connector: stdout\n    config:\n"
      "      a: vault:secret/data/pg#password\n",
      env_);
  EXPECT_EQ(none->diags.Format(),
            "p.yaml:5:10: error: sinks.s.config.a: secret reference "
            "'vault:secret/data/pg#password': needs secrets.provider: vault (the file has no "
            "secrets: block)\n");
  auto env = Load(
      "secrets:\n  provider: env\nsinks:\n  s:\n    connector: stdout\n    config:\n"
      "      a: vault:secret/data/pg#password\n      b: env:API_TOKEN\n",
      env_);
  EXPECT_EQ(env->diags.Format(),
            "p.yaml:7:10: error: sinks.s.config.a: secret reference "
            "'vault:secret/data/pg#password': needs secrets.provider: vault (secrets.provider is "
            "'env')\n");
  EXPECT_EQ(At(env->root, {"sinks", "s", "config", "b"}), "env-token-abc");
}

TEST_F(SecretSessionTest, SecretsBlockCannotUseVaultAndChecksItsKeys) {
  auto l = Load("secrets:\n  provider: vault\n  config:\n    address: " + fake_.address() +
                    "\n    role_id: vault:secret/data/x#role\n    tokne: x\n",
                env_);
  EXPECT_EQ(l->diags.Format(),
            "p.yaml:5:14: error: secrets.config.role_id: secret reference "
            "'vault:secret/data/x#role': the secrets block cannot read from Vault (it says how to "
            "reach Vault); use env: or file: here\n"
            "p.yaml:6:5: error: secrets.config.tokne: unknown key 'tokne' (did you mean "
            "'token'?)\n");
  auto both = Load("secrets:\n  provider: vault\n  config:\n    address: " + fake_.address() +
                       "\n    role_id: r\n    token: t\n",
                   env_);
  EXPECT_EQ(both->diags.Format(),
            "p.yaml:6:5: error: secrets.config.token: set either token or role_id (AppRole), "
            "not both\n");
  auto nothing = Load("secrets:\n  provider: vault\n  config:\n    address: ftp://x\n", env_);
  EXPECT_EQ(nothing->diags.Format(),
            "p.yaml:3:3: error: secrets.config: provider vault needs 'role_id' and 'secret_id' "
            "(AppRole) or 'token' (or the VAULT_TOKEN environment variable)\n"
            "p.yaml:4:5: error: secrets.config.address: 'ftp://x' must start with https:// (or "
            "http://)\n");
  auto env_settings = Load("secrets:\n  provider: file\n  config:\n    directory: /x\n", env_);
  EXPECT_EQ(env_settings->diags.Format(),
            "p.yaml:4:5: error: secrets.config: provider 'file' takes no settings (remove "
            "secrets.config)\n");
}

TEST_F(SecretSessionTest, VaultAddrAndVaultTokenFromTheEnvironment) {
  fake_.AddToken("s.env-token-1", 600, true);
  fake_.PutKv2("pg", {{"password", "from-env-auth"}});
  auto l = Load(
      "secrets:\n  provider: vault\nsinks:\n  s:\n    connector: stdout\n    config:\n"
      "      a: vault:secret/data/pg#password\n",
      MapEnv({{"VAULT_ADDR", fake_.address()}, {"VAULT_TOKEN", "s.env-token-1"}}));
  ASSERT_TRUE(l->diags.empty()) << l->diags.Format();
  EXPECT_EQ(At(l->root, {"sinks", "s", "config", "a"}), "from-env-auth");
  EXPECT_EQ(fake_.lookups(), 1);
}

TEST_F(SecretSessionTest, ConnectorConfigResolvesAgainWithCurrentValues) {
  fake_.PutKv2("pg", {{"password", "first-pass"}});
  auto l = Load(VaultBlock(fake_) +
                    "sources:\n  db:\n    connector: postgres-cdc\n    config:\n"
                    "      password: vault:secret/data/pg#password\n      host: h\n",
                env_);
  ASSERT_TRUE(l->diags.empty()) << l->diags.Format();
  auto again = l->session->ResolveConnectorConfig("sources", "db");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->Find("password")->scalar, "first-pass");
  EXPECT_EQ(again->Find("host")->scalar, "h");
  EXPECT_EQ(fake_.reads("secret/data/pg"), 1);  // served from what was read
  EXPECT_TRUE(l->session->ResolveConnectorConfig("sinks", "nothing")->IsNull());
}

}  // namespace
}  // namespace rivven::secrets
