#include "clients/vault/vault_client.h"

#include <gtest/gtest.h>

#include "support/fake_vault.h"
#include "support/process.h"
#include "support/test_ca.h"

namespace rivven::vault {
namespace {

using testing::FakeVault;

VaultOptions Fast(const std::string& address) {
  VaultOptions o;
  o.address = address;
  o.timeout = std::chrono::milliseconds(3000);
  o.max_retries = 3;
  o.initial_backoff = std::chrono::milliseconds(5);
  o.max_backoff = std::chrono::milliseconds(20);
  return o;
}

VaultAuth AppRole(const FakeVault::Options& f = {}) {
  VaultAuth a;
  a.role_id = f.role_id;
  a.secret_id = f.secret_id;
  return a;
}

std::unique_ptr<VaultClient> LoggedIn(const VaultOptions& o, const VaultAuth& a) {
  auto client = VaultClient::Create(o, a);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) return nullptr;
  Status s = (*client)->Login();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::move(client).value();
}

TEST(VaultClient, AppRoleLoginThenKvV2Read) {
  FakeVault fake({});
  fake.PutKv2("postgres", {{"password", "pg-pass-1"}, {"user", "rivven"}});
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->token_lease().ttl_seconds, 3600);
  EXPECT_TRUE(client->token_lease().renewable);
  auto secret = client->Read("secret/data/postgres");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_TRUE(secret->kv_v2);
  EXPECT_EQ(secret->version, 1);
  EXPECT_EQ(secret->lease_duration_seconds, 0);
  EXPECT_EQ(secret->data,
            (std::map<std::string, std::string>{{"password", "pg-pass-1"}, {"user", "rivven"}}));
  EXPECT_EQ(fake.logins(), 1);
  EXPECT_EQ(fake.reads("secret/data/postgres"), 1);
  EXPECT_TRUE(fake.violations().empty()) << fake.violations()[0];
}

TEST(VaultClient, KvV1ReadKeepsItsLease) {
  FakeVault fake({});
  fake.PutKv1("postgres", {{"password", "v1-pass"}}, 60);
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  auto secret = client->Read("kv/postgres");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_FALSE(secret->kv_v2);
  EXPECT_EQ(secret->lease_duration_seconds, 60);
  EXPECT_EQ(secret->data.at("password"), "v1-pass");
  EXPECT_TRUE(fake.violations().empty());
}

TEST(VaultClient, AppRoleAtAnotherMount) {
  FakeVault::Options f;
  f.approle_mount = "approle-prod";
  FakeVault fake(f);
  VaultAuth a = AppRole(f);
  a.approle_mount = "approle-prod";
  EXPECT_NE(LoggedIn(Fast(fake.address()), a), nullptr);
  EXPECT_EQ(fake.logins(), 1);
  EXPECT_TRUE(fake.violations().empty());
}

TEST(VaultClient, WrongSecretIdIsAClearErrorWithoutTheSecretId) {
  FakeVault fake({});
  VaultAuth a = AppRole();
  a.secret_id = "wrong-secret-id-999";
  auto client = VaultClient::Create(Fast(fake.address()), a);
  ASSERT_TRUE(client.ok());
  Status s = (*client)->Login();
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(s.retriable());
  EXPECT_EQ(s.message(),
            "logging in to Vault with AppRole (auth/approle/login): HTTP 400: invalid role or "
            "secret ID (check role_id and secret_id)");
}

TEST(VaultClient, TokenAuthLooksUpTheTokensTtl) {
  FakeVault fake({});
  fake.AddToken("s.static-token", 120, true);
  fake.PutKv2("api", {{"key", "k-123456"}});
  VaultAuth a;
  a.token = "s.static-token";
  auto client = LoggedIn(Fast(fake.address()), a);
  ASSERT_NE(client, nullptr);
  EXPECT_GE(client->token_lease().ttl_seconds, 110);
  EXPECT_LE(client->token_lease().ttl_seconds, 120);
  EXPECT_EQ(fake.lookups(), 1);
  EXPECT_EQ(client->Read("secret/data/api")->data.at("key"), "k-123456");
}

TEST(VaultClient, UnknownTokenIsRefusedAtLogin) {
  FakeVault fake({});
  VaultAuth a;
  a.token = "s.nobody";
  auto client = VaultClient::Create(Fast(fake.address()), a);
  ASSERT_TRUE(client.ok());
  Status s = (*client)->Login();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the token was refused (HTTP 403: permission denied)"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("s.nobody"), std::string::npos);
}

TEST(VaultClient, MissingDeletedAndDeniedSecretsAreFatalAndNamed) {
  FakeVault fake({});
  fake.PutKv2("gone", {{"a", "b"}});
  fake.DeleteKv2Latest("gone");
  fake.PutKv2("locked", {{"a", "b"}});
  fake.Deny("secret/data/locked");
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);

  auto missing = client->Read("secret/data/nothing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(missing.status().retriable());
  EXPECT_EQ(missing.status().message(),
            "reading 'secret/data/nothing' from Vault: no secret at this path (HTTP 404)");

  auto deleted = client->Read("secret/data/gone");
  EXPECT_EQ(deleted.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(deleted.status().message(),
            "reading 'secret/data/gone' from Vault: no secret at this path (HTTP 404; its latest "
            "version was deleted at 2026-11-24T11:00:00.000000Z)");

  auto denied = client->Read("secret/data/locked");
  EXPECT_EQ(denied.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(denied.status().retriable());
  EXPECT_EQ(denied.status().message(),
            "reading 'secret/data/locked' from Vault: permission denied (HTTP 403); the token's "
            "policies do not allow reading this path");
  EXPECT_TRUE(fake.violations().empty());
}

TEST(VaultClient, RetriesServerErrorsAndRateLimits) {
  FakeVault fake({});
  fake.PutKv2("pg", {{"password", "p-000001"}});
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  const int before = fake.requests();
  fake.FailNext(2, 503);
  ASSERT_TRUE(client->Read("secret/data/pg").ok());
  EXPECT_EQ(fake.requests() - before, 3);
  fake.FailNext(1, 429);
  ASSERT_TRUE(client->Read("secret/data/pg").ok());
  EXPECT_EQ(fake.requests() - before, 5);
}

TEST(VaultClient, GivesUpAfterMaxRetriesAsRetriable) {
  FakeVault fake({});
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  fake.FailNext(100, 500);
  auto r = client->Read("secret/data/pg");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retriable());
  EXPECT_EQ(r.status().message(),
            "after 4 attempt(s): reading 'secret/data/pg' from Vault: Vault at " + fake.address() +
                " answered HTTP 500: injected");
}

TEST(VaultClient, UnreachableVaultIsRetriable) {
  const int port = testing::UnusedLoopbackPort();
  auto client = VaultClient::Create(Fast("http://127.0.0.1:" + std::to_string(port)), AppRole());
  ASSERT_TRUE(client.ok());
  Status s = (*client)->Login();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.retriable());
  EXPECT_NE(s.message().find("is unreachable"), std::string::npos) << s.message();
}

TEST(VaultClient, NamespaceGoesInEveryRequest) {
  FakeVault::Options f;
  f.namespace_ = "team-a";
  FakeVault fake(f);
  fake.PutKv2("pg", {{"password", "ns-pass-1"}});
  VaultOptions o = Fast(fake.address());
  o.namespace_ = "team-a";
  auto client = LoggedIn(o, AppRole());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->Read("secret/data/pg")->data.at("password"), "ns-pass-1");
  ASSERT_TRUE(client->RenewSelf().ok());
  EXPECT_TRUE(fake.violations().empty()) << fake.violations()[0];

  o.namespace_ = "";
  auto without = VaultClient::Create(o, AppRole());
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE((*without)->Login().ok());
  EXPECT_EQ(fake.violations().size(), 1u);
}

TEST(VaultClient, RenewSelfExtendsTheToken) {
  FakeVault::Options f;
  f.token_ttl_seconds = 30;
  FakeVault fake(f);
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  auto lease = client->RenewSelf();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_GE(lease->ttl_seconds, 29);
  EXPECT_TRUE(lease->renewable);
  EXPECT_EQ(fake.renewals(), 1);
}

TEST(VaultClient, NonRenewableTokenFailsRenewal) {
  FakeVault::Options f;
  f.token_renewable = false;
  FakeVault fake(f);
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  EXPECT_FALSE(client->token_lease().renewable);
  auto lease = client->RenewSelf();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().message(),
            "renewing the Vault token (auth/token/renew-self): HTTP 400: lease is not renewable");
}

TEST(VaultClient, ExpiredAppRoleTokenLogsInAgainOnce) {
  FakeVault fake({});
  fake.PutKv2("pg", {{"password", "p-000002"}});
  auto client = LoggedIn(Fast(fake.address()), AppRole());
  ASSERT_NE(client, nullptr);
  fake.RevokeAllTokens();
  auto r = client->Read("secret/data/pg");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fake.logins(), 2);
}

class VaultTls : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ca_ = testing::TestCa::Make({}, &error);
    ASSERT_NE(ca_, nullptr) << error;
  }
  std::unique_ptr<testing::TestCa> ca_;
};

TEST_F(VaultTls, CustomCaVerifiesVault) {
  FakeVault fake({}, *ca_);
  fake.PutKv2("pg", {{"password", "tls-pass-1"}});
  VaultOptions o = Fast(fake.address());
  o.ca_path = ca_->ca_path();
  auto client = LoggedIn(o, AppRole());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->Read("secret/data/pg")->data.at("password"), "tls-pass-1");
}

TEST_F(VaultTls, WrongCaFailsFatallyNamingVault) {
  FakeVault fake({}, *ca_);
  VaultOptions o = Fast(fake.address());
  o.ca_path = ca_->other_ca_path();
  auto client = VaultClient::Create(o, AppRole());
  ASSERT_TRUE(client.ok());
  Status s = (*client)->Login();
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(s.retriable());
  EXPECT_TRUE(
      s.message().starts_with("logging in to Vault with AppRole (auth/approle/login): "
                              "Vault at " +
                              fake.address()))
      << s.message();
  EXPECT_NE(s.message().find("certificate"), std::string::npos) << s.message();
  EXPECT_EQ(fake.logins(), 0);
}

TEST_F(VaultTls, VerificationOffConnectsToAnUntrustedVault) {
  FakeVault fake({}, *ca_);
  VaultOptions o = Fast(fake.address());
  o.verify_tls = false;
  EXPECT_NE(LoggedIn(o, AppRole()), nullptr);
  EXPECT_EQ(fake.logins(), 1);
}

}  // namespace
}  // namespace rivven::vault
