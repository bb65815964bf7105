#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "base/clock.h"
#include "connectors/connector.h"
#include "connectors/datagen/datagen_config.h"
#include "record/debezium.h"

namespace rivven {

class Registry;

/// Registers the "datagen" source (descriptor, schema, factory, discover, validate).
void RegisterDatagen(Registry& registry);

namespace datagen {

/// Synthetic records for tests and demos: orders, users or pageviews, as plain rows or as
/// Debezium change events (cdc_mode). Record n is a pure function of (seed, n), so runs with the
/// same seed are byte-identical and a run resumed from a checkpoint continues the same
/// sequence. Position: {"seed":S,"next":N} (N = sequence number of the next record).
///
/// Owned by the source runner; Open/Poll/Close are called from that one thread. Holds no
/// external state: the position is durable once the runtime has stored it in the checkpoint.
class DatagenSource final : public Source {
 public:
  DatagenSource(DatagenConfig config, ConnectorContext context);

  Status Open(const std::optional<std::string>& checkpoint) override;
  /// Returns the records that are due now (events_per_second pacing, up to `max_records`),
  /// sleeping until the next one is due when none is, but never past `max_wait` and never
  /// after `stop` is requested. events_per_second = 0 fills `max_records` at once.
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;

  /// The seed in use (after Open: configured, from the checkpoint, or random).
  int64_t seed() const { return seed_; }
  /// Sequence number of the next record Poll returns.
  int64_t next() const { return next_; }
  /// Record n: the same bytes for the same seed, whatever was generated before.
  Record MakeRecord(int64_t n);
  /// The position after the records returned so far.
  std::string Position() const;

 private:
  /// How many records the schedule allows at `now` (after capping an accumulated backlog).
  int64_t DueAt(SteadyClock::time_point now);
  SteadyClock::time_point NextDueTime() const;

  DatagenConfig config_;
  ConnectorContext context_;
  int64_t seed_ = 0;
  int64_t next_ = 0;
  bool opened_ = false;
  bool finished_ = false;

  // Pacing: slot k of the schedule is due at origin_ + k / events_per_second; slot_ is the next
  // unused one. Computed from the origin, not by adding up sleeps, so the rate does not drift.
  SteadyClock::time_point origin_;
  int64_t slot_ = 0;
  std::mutex wait_mutex_;  // only for the condition variable; Poll is single-threaded
  std::condition_variable_any wait_cv_;

  debezium::SourceInfo cdc_source_;  // template of the envelope's source block
  std::string scratch_;
};

}  // namespace datagen
}  // namespace rivven
