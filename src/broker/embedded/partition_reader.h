#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "record/record.h"

namespace rivven::embedded {

class PartitionLog;
class Segment;

/// A sequential read position in one partition: the segment and byte position of the next batch
/// and a buffer of bytes read ahead with large preads, so that polling in order touches the
/// index only when it starts or jumps. Returns only records below the partition's durable end.
/// Each batch's CRC is verified before its records are returned; damage is a Corruption error
/// naming the segment file and byte position.
///
/// Owned by one consumer (or one Read call); not thread-safe. The PartitionLog must outlive it.
class PartitionReader {
 public:
  PartitionReader(PartitionLog* log, Offset next);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  PartitionLog* log() const { return log_; }
  /// The offset the next record returned will have (Kafka "position").
  Offset next() const { return next_; }
  void Seek(Offset offset);
  /// Durable records exist at or past next() (a read-only view may know only after Read).
  bool HasData() const;
  /// Appends up to `max_records` (> 0) records starting at next() to `out`; returns how many.
  /// A position below the partition's start (deleted by retention) moves to the start, with a
  /// warning.
  Result<size_t> Read(size_t max_records, std::vector<ConsumedRecord>* out,
                      std::vector<ConsumedRecord>* spare = nullptr);

 private:
  /// Makes bytes [pos_, pos_ + need) available in buf_ (reading ahead); false when the segment
  /// holds fewer bytes than that.
  Result<bool> Fill(size_t need);

  PartitionLog* log_;
  Offset next_;
  std::shared_ptr<Segment> seg_;  // null: locate next_ through the index first
  uint64_t pos_ = 0;              // byte position in seg_ of the batch holding or after next_
  std::vector<char> buf_;
  uint64_t buf_pos_ = 0;  // file position of buf_[0]
  size_t buf_len_ = 0;
  int64_t verified_pos_ = -1;  // position of the batch whose CRC was last checked
};

}  // namespace rivven::embedded
