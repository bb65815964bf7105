#pragma once

#include <atomic>
#include <mutex>
#include <utility>

#include "config/schema.h"

namespace rivven {

/// The bound `config:` a runner creates its connector from. When a secret the block uses
/// changes, Replace swaps in the block bound with the new value and asks the runner to restart
/// its connector (what Kafka Connect does with config.action.reload=restart): the runner takes
/// the request at its next safe point, finishes what is in flight, closes the connector and
/// creates it again from Current(). Thread-safe: Replace from any thread, the rest from the
/// runner's thread.
class ConfigSlot {
 public:
  explicit ConfigSlot(config::BoundConfig config) : config_(std::move(config)) {}

  config::BoundConfig Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }
  void Replace(config::BoundConfig config) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      config_ = std::move(config);
    }
    restart_.store(true);
  }
  /// True once per Replace.
  bool TakeRestartRequest() { return restart_.exchange(false); }

 private:
  mutable std::mutex mu_;
  config::BoundConfig config_;  // guarded by mu_
  std::atomic<bool> restart_{false};
};

}  // namespace rivven
