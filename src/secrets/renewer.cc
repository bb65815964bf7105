#include "secrets/renewer.h"

#include <algorithm>

#include "base/log.h"
#include "clients/vault/vault_client.h"
#include "secrets/resolver.h"

namespace rivven::secrets {
namespace {

constexpr std::string_view kLog = "secrets";

template <typename Duration>
std::chrono::steady_clock::duration Share(Duration d, double fraction) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d * fraction);
}

}  // namespace

Renewer::Renewer(Resolver& resolver, OnChange on_change, RenewalOptions options)
    : resolver_(resolver), on_change_(std::move(on_change)), options_(options) {
  thread_ = std::jthread([this](std::stop_token st) { Loop(st); });
}

Renewer::~Renewer() {
  thread_.request_stop();
  cv_.notify_all();
}

Renewer::Clock::time_point Renewer::KeepToken(Clock::time_point now) {
  vault::VaultClient& vault = *resolver_.vault();
  const vault::TokenLease before = vault.token_lease();
  // Renewal stops paying off once Vault no longer extends the token (its max TTL is near):
  // then AppRole logs in for a fresh one.
  const bool renewal_useful =
      before.renewable && (login_ttl_.count() == 0 || before.ttl_seconds * 2 >= login_ttl_.count());
  Status failure;
  if (renewal_useful) {
    auto renewed = vault.RenewSelf();
    if (renewed.ok()) {
      log::Debug(kLog, "renewed the Vault token for {} s", renewed->ttl_seconds);
      if (renewed->ttl_seconds <= 0) return Clock::time_point::max();
      return now + Share(std::chrono::seconds(renewed->ttl_seconds), options_.fraction);
    }
    failure = renewed.status();
  }
  if (vault.uses_approle()) {
    if (!failure.ok()) {
      log::Warn(kLog, "{}; logging in with AppRole again", failure.message());
    }
    Status login = vault.Login();
    if (login.ok()) {
      const vault::TokenLease lease = vault.token_lease();
      login_ttl_ = std::chrono::seconds(lease.ttl_seconds);
      log::Info(kLog, "logged in to Vault again with AppRole (token TTL {} s)", lease.ttl_seconds);
      if (lease.ttl_seconds <= 0) return Clock::time_point::max();
      return now + Share(login_ttl_, options_.fraction);
    }
    log::Error(kLog, "{}; trying again in {} ms", login.message(), options_.retry_wait.count());
    return now + options_.retry_wait;
  }
  log::Warn(kLog,
            "the Vault token {} and cannot be renewed ({}); give rivven-connect a renewable "
            "token or use AppRole",
            before.ttl_seconds > 0 ? "expires in " + std::to_string(before.ttl_seconds) + " s"
                                   : "will expire",
            failure.ok() ? "not renewable" : failure.message());
  return Clock::time_point::max();
}

void Renewer::Reread(const std::string& path, Clock::time_point now) {
  auto changed = resolver_.Refresh(path);
  if (!changed.ok()) {
    log::Warn(kLog, "re-reading '{}' from Vault before its lease ends: {}; trying again in {} ms",
              path, changed.status().message(), options_.retry_wait.count());
    retry_at_[path] = now + options_.retry_wait;
    return;
  }
  retry_at_.erase(path);
  if (changed->empty()) {
    log::Debug(kLog, "re-read '{}' from Vault: unchanged", path);
    return;
  }
  std::string names;
  for (const Reference& ref : *changed) names += (names.empty() ? "" : ", ") + ref.text;
  log::Info(kLog, "secret value(s) changed in Vault: {}", names);
  if (on_change_) on_change_(*changed);
}

void Renewer::Loop(std::stop_token stop) {
  vault::VaultClient* vault = resolver_.vault();
  if (vault == nullptr) return;
  login_ttl_ = std::chrono::seconds(vault->token_lease().ttl_seconds);
  Clock::time_point token_due = login_ttl_.count() > 0
                                    ? Clock::now() + Share(login_ttl_, options_.fraction)
                                    : Clock::time_point::max();
  while (!stop.stop_requested()) {
    Clock::time_point next = token_due;
    std::vector<std::pair<std::string, Clock::time_point>> reads;
    for (const Resolver::Lease& lease : resolver_.Leases()) {
      Clock::time_point due = lease.read_at + Share(lease.duration, options_.fraction);
      if (const auto it = retry_at_.find(lease.path); it != retry_at_.end()) due = it->second;
      reads.emplace_back(lease.path, due);
      next = std::min(next, due);
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (next == Clock::time_point::max()) {
        cv_.wait(lock, stop, [] { return false; });
      } else {
        cv_.wait_until(lock, stop, next, [] { return false; });
      }
    }
    if (stop.stop_requested()) return;
    const Clock::time_point now = Clock::now();
    if (token_due <= now) token_due = KeepToken(now);
    for (const auto& [path, due] : reads) {
      if (due <= now) Reread(path, now);
    }
  }
}

}  // namespace rivven::secrets
