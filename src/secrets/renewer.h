#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "secrets/reference.h"

namespace rivven::secrets {

class Resolver;

struct RenewalOptions {
  /// Renew the token, and re-read a leased secret, once this share of its TTL has passed.
  double fraction = 2.0 / 3.0;
  /// After a failed renewal, login or re-read, try again this much later (or sooner when the
  /// token would expire first).
  std::chrono::milliseconds retry_wait{5000};
};

/// Keeps what the Resolver read from Vault alive while the pipeline runs, on a thread of its
/// own:
/// - the client token is renewed (auth/token/renew-self) at 2/3 of its TTL; a token that is not
///   renewable, whose renewal fails, or that renewal no longer extends (its max TTL is near) is
///   replaced by logging in with AppRole again (token auth can only warn);
/// - a secret read with a lease (lease_duration > 0, e.g. KV v1's TTL) is read again at 2/3 of
///   the lease; the references whose value changed go to `on_change`, called on this thread.
/// Stops (and joins) on destruction.
class Renewer {
 public:
  using OnChange = std::function<void(const std::vector<Reference>& changed)>;
  Renewer(Resolver& resolver, OnChange on_change, RenewalOptions options = {});
  ~Renewer();
  Renewer(const Renewer&) = delete;
  Renewer& operator=(const Renewer&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  void Loop(std::stop_token stop);
  /// Renews or logs in again; returns when to act on the token next.
  Clock::time_point KeepToken(Clock::time_point now);
  void Reread(const std::string& path, Clock::time_point now);

  Resolver& resolver_;
  OnChange on_change_;
  RenewalOptions options_;
  std::chrono::seconds login_ttl_{0};                  ///< TTL the token had when obtained
  std::map<std::string, Clock::time_point> retry_at_;  ///< failed re-reads: when to try again
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last: started after everything above exists
};

}  // namespace rivven::secrets
