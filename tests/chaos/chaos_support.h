#pragma once

// What every chaos scenario shares: the short/long scale, rivven-connect run in the background
// and restarted after each SIGKILL, the exact comparison of source and destination identities,
// and the result row each scenario reports (tests/chaos/README.md).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/change_events.h"
#include "support/process.h"

namespace rivven::testing::chaos {

/// RIVVEN_CHAOS_LONG=1 (make chaos): more fault rounds and more records.
bool LongRun();
/// `short_value` normally, `long_value` under RIVVEN_CHAOS_LONG=1.
int Scaled(int short_value, int long_value);

/// `rivven-connect run -c <config>` in the background, restarted after each SIGKILL. Every life
/// appends to the same stdout/stderr files in `dir`. Owned by one test thread.
class ConnectProcess {
 public:
  ConnectProcess(std::string config, std::string dir);
  ~ConnectProcess();
  void Start();
  /// SIGKILL, wait for the process to be gone, start it again. Returns false when it had already
  /// ended (the test then reports the log).
  bool KillAndRestart();
  bool Running();
  /// SIGTERM and wait; the exit code (-1 when it had to be killed).
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  int kills() const { return kills_; }
  /// The tail of stderr over every life, for failure messages.
  std::string Log() const;
  /// The lines of stderr (every life) that contain `needle`, e.g. one connector's "[name]".
  std::string LogLines(const std::string& needle) const;
  std::string stderr_path() const { return dir_ + "/connect.stderr"; }

 private:
  std::string config_, dir_;
  std::unique_ptr<BackgroundProcess> process_;
  int kills_ = 0;
};

/// A thread that keeps writing records to a source while faults run: every `interval` it writes
/// the next `per_step` identities (next, next + per_step - 1) through `write`, retrying the same
/// range until `write` returns true (so a server being down delays it but loses nothing; `write`
/// must treat "already there" as success). Stop() joins it and returns what was written.
class SteadyProducer {
 public:
  using Write = std::function<bool(int64_t first, int64_t last)>;
  SteadyProducer(Write write, int64_t first_id, int per_step, std::chrono::milliseconds interval);
  ~SteadyProducer();
  std::set<int64_t> Stop();
  int64_t written() const { return written_; }

 private:
  Write write_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> written_{0};
  std::set<int64_t> ids_;
  std::thread thread_;
};

/// Source and destination compared by identity.
struct Tally {
  int64_t records = 0;     ///< distinct identities the source produced
  int64_t delivered = 0;   ///< deliveries seen at the destination, duplicates included
  int64_t missing = 0;     ///< produced but never delivered
  int64_t duplicates = 0;  ///< deliveries beyond the first of an identity
  int64_t unexpected = 0;  ///< delivered but never produced
  std::string missing_sample;  ///< the first few missing identities, for failure messages
};
Tally Compare(const std::set<int64_t>& produced, const std::vector<int64_t>& delivered);
/// Whether every produced identity was delivered (for polling until recovery).
bool AllDelivered(const std::set<int64_t>& produced, const std::vector<int64_t>& delivered);

/// One row of the chaos table: printed, and appended to $RIVVEN_CHAOS_REPORT when set (make chaos
/// turns those rows into bench/results/chaos.md).
void Report(const std::string& scenario, const std::string& faults, const Tally& tally,
            double recovery_seconds);
/// The row of a scenario that could not run here, with the reason.
void ReportSkipped(const std::string& scenario, const std::string& reason);

/// The ids of the change events in a file sink's output (complete lines only).
std::vector<int64_t> ChangeEventIds(const std::string& path);

}  // namespace rivven::testing::chaos
