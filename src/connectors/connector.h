#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/connector_metrics.h"
#include "base/status.h"
#include "record/record.h"

namespace rivven {

/// A record a connector could not process: bad input a source read, or a record a sink could
/// not deliver for a reason that retrying will not fix.
struct RejectedRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;  ///< the original bytes (a source's raw line/row)
  std::vector<RecordHeader> headers; ///< the original record's headers, if any
  std::string reason;                ///< what is wrong, naming where (file:line, field, ...)
  std::string position;              ///< source position, or "topic/partition/offset" for sinks
  int attempts = 1;                  ///< how many times delivery was tried
};

/// "topic/partition/offset": where a sink's record came from, for RejectedRecord::position.
inline std::string RecordPosition(const ConsumedRecord& r) {
  return r.topic + "/" + std::to_string(r.partition) + "/" + std::to_string(r.offset.value());
}

/// A record a sink could not deliver, as on_error takes it: its key, value and headers, the
/// reason, and its position.
inline RejectedRecord RejectedSinkRecord(const ConsumedRecord& r, std::string reason,
                                         int attempts = 1) {
  RejectedRecord rej;
  rej.key = r.record.key;
  rej.value = r.record.value;
  rej.headers = r.record.headers;
  rej.reason = std::move(reason);
  rej.position = RecordPosition(r);
  rej.attempts = attempts;
  return rej;
}

/// Applies the connector's `on_error` policy to rejected records. Implemented by the runtime;
/// called from the connector's own thread.
class RecordErrorHandler {
 public:
  virtual ~RecordErrorHandler() = default;
  /// on_error: skip — counts and logs it, returns OK; dlq — writes it durably to the dead letter
  /// topic, returns OK; fail — returns a fatal error carrying `reason` (the connector returns it).
  virtual Status Reject(const RejectedRecord& record) = 0;
};

/// What a connector instance knows about its place in the pipeline.
struct ConnectorContext {
  std::string name;                 ///< the key under sources:/sinks:
  std::string topic;                ///< sources: the configured `topic`
  std::vector<std::string> topics;  ///< sinks: the subscribed `topics`
  std::string data_dir;             ///< a private directory the connector may use for state
  /// Where bad records go (never null when created by the runtime; tests may leave it null,
  /// which connectors treat as on_error: fail).
  RecordErrorHandler* errors = nullptr;
  /// Where the connector keeps its own counters and histograms (exported by the runtime; may
  /// be null in tests).
  ConnectorMetrics* metrics = nullptr;
};

/// How far a bounded source is, for progress display: `done` of `total` `unit`s (e.g. bytes of
/// the files to read, or events of max_events). total = 0 means unknown.
struct SourceProgress {
  uint64_t done = 0;
  uint64_t total = 0;
  std::string unit = "records";
};

/// A value a source reports about itself (e.g. replication slot lag), exported as the Prometheus
/// gauge `rivven_<name>{connector=...,type=...,kind="source"}`. `name` must match
/// [a-z_][a-z0-9_]* and not start with `connector_`, `source_` or `build_` (the runtime's own
/// families); the runtime drops other names with a warning. Put the unit in the name
/// (`_bytes`, `_seconds`).
struct SourceGauge {
  std::string name;  ///< e.g. "postgres_slot_lag_bytes"
  std::string help;  ///< one line for `# HELP`
  double value = 0;
};

/// Records polled from a source plus the source position just after the last of them.
struct SourceBatch {
  std::vector<Record> records;
  /// Opaque position (JSON text) to resume from after these records; empty = unchanged.
  std::string position;
  /// A bounded source sets this on its last batch (which may be empty).
  bool finished = false;
  /// Optional: progress as of this batch.
  std::optional<SourceProgress> progress;
  /// Connector-specific gauges as of this batch (e.g. postgres_slot_lag_bytes); a name is
  /// exported as rivven_<name>{connector=...}; the latest value of each name is kept. May be set
  /// on empty batches too. Names not reported again keep their last value.
  std::vector<SourceGauge> gauges;
};

/// A stream (table, pattern, file) a source can read, for `discover`.
struct StreamDescription {
  std::string name;
  std::string json_schema;  ///< JSON Schema of the record value
};

/// A source connector instance. Created by its factory, then driven by one source-runner
/// thread: Open once, Poll repeatedly, Acknowledge after each checkpoint is durable, Close.
class Source {
 public:
  virtual ~Source() = default;
  /// Starts reading from `checkpoint` (a position previously returned in a SourceBatch) or from
  /// the beginning when nullopt.
  virtual Status Open(const std::optional<std::string>& checkpoint) = 0;
  /// Up to `max_records` records; may block up to `max_wait` for data and must return promptly
  /// when `stop` is requested.
  virtual Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                   std::stop_token stop) = 0;
  /// Called once `position` is durable in the checkpoint store (e.g. confirm an LSN upstream).
  virtual Status Acknowledge(const std::string& position) { return Status::Ok(); }
  /// Records handed out earlier whose delivery is complete, given back so a source may reuse
  /// their buffers for new records (see record/spare_values.h). Whatever it leaves in `spent`
  /// is freed by the caller. Called from the same thread as Poll.
  virtual void Recycle(std::vector<Record>& spent) {}
  virtual Status Close() { return Status::Ok(); }
};

/// A sink connector instance, driven by one sink-runner thread: Open, then Write batches and
/// Flush; offsets are committed only after Flush returns OK.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Open() = 0;
  /// Accepts records (may buffer them).
  virtual Status Write(const std::vector<ConsumedRecord>& records) = 0;
  /// When this returns OK, every record passed to Write is durable at the destination, except
  /// those a batching sink still holds (see FirstHeld).
  virtual Status Flush() = 0;
  /// Like Flush, with nothing held back: the runner calls it when it stops or reaches the end
  /// of a bounded run, before its last commit.
  virtual Status FlushAll() { return Flush(); }
  /// A sink that keeps records across Flushes (an object store writing one object per batch)
  /// names, per partition, the offset of the first record it holds that is not durable yet; the
  /// runner then commits no further than that offset. nullopt: nothing held.
  virtual std::optional<Offset> FirstHeld(const std::string& topic, int32_t partition) const {
    return std::nullopt;
  }
  virtual Status Close() { return Status::Ok(); }
};

}  // namespace rivven
