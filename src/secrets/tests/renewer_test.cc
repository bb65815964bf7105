#include "secrets/renewer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/redaction.h"
#include "secrets/resolver.h"
#include "support/fake_vault.h"

namespace rivven::secrets {
namespace {

using namespace std::chrono_literals;
using testing::FakeVault;

// Polls `done` every 20 ms for up to `limit`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 8000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

std::unique_ptr<Resolver> MakeResolver(const FakeVault& fake, vault::VaultAuth auth) {
  vault::VaultOptions o;
  o.address = fake.address();
  o.max_retries = 1;
  o.initial_backoff = 5ms;
  o.max_backoff = 10ms;
  auto client = vault::VaultClient::Create(o, auth);
  EXPECT_TRUE(client.ok());
  return std::make_unique<Resolver>([](const std::string&) { return std::nullopt; },
                                    std::move(client).value(), "no vault");
}

vault::VaultAuth AppRole() {
  vault::VaultAuth a;
  a.role_id = FakeVault::Options{}.role_id;
  a.secret_id = FakeVault::Options{}.secret_id;
  return a;
}

Reference Ref(const std::string& text) { return **ParseReference(text); }

class RenewerTest : public ::testing::Test {
 protected:
  void TearDown() override { redaction::ResetForTesting(); }
};

TEST_F(RenewerTest, RenewsTheTokenBeforeItExpires) {
  FakeVault::Options f;
  f.token_ttl_seconds = 3;
  FakeVault fake(f);
  fake.PutKv2("pg", {{"password", "p-renew-1"}});
  auto resolver = MakeResolver(fake, AppRole());
  ASSERT_TRUE(resolver->Resolve(Ref("vault:secret/data/pg#password")).ok());
  Renewer renewer(*resolver, nullptr);
  // Renewed at 2/3 of 3 s, so the token never lapses: reads keep working past 3 s without a
  // second login.
  ASSERT_TRUE(Eventually([&] { return fake.renewals() >= 2; }));
  EXPECT_EQ(fake.logins(), 1);
  EXPECT_TRUE(resolver->Refresh("secret/data/pg").ok());
  EXPECT_EQ(fake.logins(), 1);
  EXPECT_TRUE(fake.violations().empty());
}

TEST_F(RenewerTest, LogsInAgainWhenTheTokenIsNotRenewable) {
  FakeVault::Options f;
  f.token_ttl_seconds = 3;
  f.token_renewable = false;
  FakeVault fake(f);
  fake.PutKv2("pg", {{"password", "p-renew-2"}});
  auto resolver = MakeResolver(fake, AppRole());
  ASSERT_TRUE(resolver->Resolve(Ref("vault:secret/data/pg#password")).ok());
  Renewer renewer(*resolver, nullptr);
  ASSERT_TRUE(Eventually([&] { return fake.logins() >= 2; }));
  EXPECT_EQ(fake.renewals(), 0);
}

TEST_F(RenewerTest, LogsInAgainWhenRenewalFails) {
  FakeVault::Options f;
  f.token_ttl_seconds = 3;
  FakeVault fake(f);
  fake.PutKv2("pg", {{"password", "p-renew-3"}});
  auto resolver = MakeResolver(fake, AppRole());
  ASSERT_TRUE(resolver->Resolve(Ref("vault:secret/data/pg#password")).ok());
  fake.RevokeAllTokens();  // renew-self now gets 403
  Renewer renewer(*resolver, nullptr);
  ASSERT_TRUE(Eventually([&] { return fake.logins() >= 2; }));
  EXPECT_GE(fake.renewals(), 1);
}

TEST_F(RenewerTest, RenewsAGivenTokenWithoutLoggingIn) {
  FakeVault fake({});
  fake.AddToken("s.given-token", 3, true);
  fake.PutKv2("pg", {{"password", "p-renew-4"}});
  vault::VaultAuth auth;
  auth.token = "s.given-token";
  auto resolver = MakeResolver(fake, auth);
  ASSERT_TRUE(resolver->Resolve(Ref("vault:secret/data/pg#password")).ok());
  Renewer renewer(*resolver, nullptr);
  ASSERT_TRUE(Eventually([&] { return fake.renewals() >= 1; }));
  EXPECT_EQ(fake.logins(), 0);
  EXPECT_EQ(fake.lookups(), 1);
  EXPECT_TRUE(fake.violations().empty());
}

TEST_F(RenewerTest, LeasedSecretIsReadAgainAndChangesAreReported) {
  FakeVault fake({});
  fake.PutKv1("pg", {{"password", "old-leased-1"}, {"user", "same-user"}}, 2);
  auto resolver = MakeResolver(fake, AppRole());
  ASSERT_EQ(resolver->Resolve(Ref("vault:kv/pg#password"))->Reveal(), "old-leased-1");
  ASSERT_TRUE(resolver->Resolve(Ref("vault:kv/pg#user")).ok());
  std::mutex mu;
  std::vector<std::string> changed;
  Renewer renewer(*resolver, [&](const std::vector<Reference>& refs) {
    std::lock_guard<std::mutex> lock(mu);
    for (const Reference& r : refs) changed.push_back(r.text);
  });
  // Unchanged re-reads report nothing.
  ASSERT_TRUE(Eventually([&] { return fake.reads("kv/pg") >= 2; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(changed.empty());
  }
  fake.PutKv1("pg", {{"password", "new-leased-2"}, {"user", "same-user"}}, 2);
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !changed.empty();
  }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(changed, std::vector<std::string>{"vault:kv/pg#password"});
  }
  EXPECT_EQ(resolver->Resolve(Ref("vault:kv/pg#password"))->Reveal(), "new-leased-2");
  EXPECT_EQ(redaction::Scrub("new-leased-2"), "***");
}

}  // namespace
}  // namespace rivven::secrets
