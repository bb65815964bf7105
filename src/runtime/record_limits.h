#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "connectors/connector.h"
#include "record/record.h"

// `settings.limits`: the largest record a pipeline moves and the most bytes a runner hands a
// sink in one Write. A record over the size limit is not produced or delivered: it goes through
// its connector's on_error (fail names it, skip counts it, dlq keeps it), so one oversized row
// or message can neither stall a pipeline nor exhaust its memory unnoticed.
namespace rivven {

struct RecordLimits {
  size_t max_record_bytes = size_t{16} << 20;  ///< key + value + headers of one record
  size_t max_batch_bytes = size_t{64} << 20;   ///< of one Sink::Write (at least one record)
};

/// The bytes `settings.limits.max_record_bytes` counts: key, value, header names and values.
size_t PayloadBytes(const Record& r);

/// "record of N bytes is over settings.limits.max_record_bytes (M)", followed by `where`.
std::string OversizedReason(size_t bytes, size_t limit, const std::string& where);

/// Removes from `records` (keeping the others' order) every record over `limit` and hands each
/// to `reject` with its reason; stops at the first error `reject` returns. `position` is the
/// source position the records belong to; `topic` the source's topic (a record's own topic, if
/// set, is named instead).
Status RejectOversized(std::vector<Record>& records, size_t limit, const std::string& topic,
                       const std::string& position, RecordErrorHandler& reject);
/// The same for records a sink consumed; each one's position is its topic/partition/offset.
Status RejectOversized(std::vector<ConsumedRecord>& records, size_t limit,
                       RecordErrorHandler& reject);

/// Splits `records` into consecutive runs of at most `max_bytes` payload bytes each (a record
/// larger than that alone in its run). Returns the end index of each run; one run, ending at
/// records.size(), in the common case. Empty for no records.
std::vector<size_t> SplitByBytes(const std::vector<ConsumedRecord>& records, size_t max_bytes);

/// Writes `records` to `sink` in the runs SplitByBytes makes (one Write in the common case); the
/// records are back in `records` afterwards, as the sink left them.
Status WriteInRuns(Sink& sink, std::vector<ConsumedRecord>& records, size_t max_bytes);

/// How many records a sink runner asks one Poll for, so that a poll's bytes stay near
/// max_batch_bytes (Kafka's fetch.max.bytes, in records): the configured count, lowered while the
/// records seen are large. Reacts at once to larger records, slowly to smaller ones.
class PollSize {
 public:
  explicit PollSize(size_t max_batch_bytes) : max_bytes_(max_batch_bytes) {}
  size_t Records(size_t configured) const;
  void Observe(size_t records, size_t bytes);

 private:
  size_t max_bytes_;
  double average_ = 0;  ///< bytes per record; 0 until a poll returned records
};

}  // namespace rivven
