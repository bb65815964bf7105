#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "broker/broker.h"
#include "broker/embedded/segment.h"

namespace rivven::embedded {

/// Settings of one partition's log (the topic's spec resolved against broker defaults).
struct LogConfig {
  int64_t segment_bytes = int64_t{128} << 20;
  /// After each fsync, log older than the newest page_cache_bytes is dropped from the OS page
  /// cache (POSIX_FADV_DONTNEED); consumers that follow the tail read from the cached part,
  /// lagging ones from disk. Keeps the broker's cache footprint (which counts against a
  /// container's memory limit) bounded, and lets new writes reuse the pages just released
  /// instead of faulting in fresh ones. < 0: the kernel decides.
  int64_t page_cache_bytes = int64_t{32} << 20;
  int64_t retention_ms = -1;     ///< < 0: keep forever
  int64_t retention_bytes = -1;  ///< < 0: unlimited
  /// flush_interval_ms mode: an append is visible (and acknowledged) once written to the OS; the
  /// flusher fsyncs later. Otherwise it becomes visible only when fsync'd.
  bool ack_on_write = false;
  bool read_only = false;
};

/// One partition: a directory of segments, each named by its base offset. Appends go to the
/// last (active) segment, which rolls past segment_bytes; retention deletes whole old segments.
///
/// Durability: Append writes to the page cache under the partition lock and returns the offset
/// after the appended batches. Sync (called by the flusher thread) fdatasyncs and then advances
/// the durable end. Readers never go past durable_end(): everything below it is on disk, so no
/// crash can take back an offset a consumer has seen. A failed fsync leaves the partition
/// failed (every later append and sync returns that error) because the kernel may have dropped
/// the unwritten pages; reopening recovers from what is on disk.
///
/// Recovery (Open, writable): every segment but the last must be intact to its end (checked from
/// its index's last entry; a bad index is rebuilt; damage is a Corruption error naming the file
/// and byte). The last segment is validated batch by batch (framing, CRC-32C, contiguous offsets)
/// unless the previous run shut down cleanly; a torn or corrupt tail is cut off, and what was cut
/// is appended to `report`.
///
/// Threads: all methods are thread-safe. The PartitionLog outlives every reader of it (topics are
/// never deleted while the broker is open).
class PartitionLog {
 public:
  static Result<std::unique_ptr<PartitionLog>> Open(std::string dir, std::string topic,
                                                    int32_t partition, const LogConfig& config,
                                                    bool clean_shutdown,
                                                    std::vector<std::string>* report);
  ~PartitionLog();

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  const std::string& dir() const { return dir_; }
  bool read_only() const { return config_.read_only; }

  // ---- writer side

  /// Assigns offsets to the encoded batches in `batches` (patching their baseOffset fields) and
  /// appends them, rolling segments as needed. Returns the offset after the last batch. On a
  /// write error (ENOSPC, EFBIG, EIO) the active segment is cut back to its previous size and the
  /// error names the file; batches of this call already written to an earlier segment (when the
  /// call spanned a roll) stay.
  Result<Offset> Append(std::span<char> batches);
  /// Makes every append so far durable (fdatasync) and advances durable_end(). Flusher thread.
  Status Sync();
  /// Kicks off writeback of the active segment so a following Sync has less to wait for.
  void StartWriteback();
  /// Flusher bookkeeping: true if the caller must queue this partition for a sync.
  bool MarkDirty() { return !dirty_.exchange(true, std::memory_order_acq_rel); }
  void ClearDirty() { dirty_.store(false, std::memory_order_release); }
  /// Deletes the oldest non-active segments that are past retention (by size: while the rest is
  /// still at least retention_bytes; by time: last written more than retention_ms before `now`).
  /// Appends one line per deleted segment to `removed`.
  Status EnforceRetention(TimestampMs now, std::vector<std::string>* removed);
  /// Final sync and index write; appends fail afterwards.
  Status Close();

  // ---- reader side

  /// Offset after the last durable record (read-only: after the last intact batch seen).
  Offset durable_end() const { return Offset(durable_end_.load(std::memory_order_acquire)); }
  /// The first offset still stored.
  Offset start_offset() const;
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  /// The sticky error after a failed fsync or a failed cut-back.
  Status failure() const;
  /// The segment holding `offset` (the first segment when `offset` precedes it); null if none.
  std::shared_ptr<Segment> SegmentFor(Offset offset) const;
  /// The segment after `s`, or null when `s` is the last.
  std::shared_ptr<Segment> NextSegment(const Segment& s) const;
  PartitionInfo Info() const;
  /// Read-only views only: picks up batches and segments another process has written and
  /// segments it has deleted since the last call. Never modifies files.
  Status Refresh();

 private:
  PartitionLog(std::string dir, std::string topic, int32_t partition, const LogConfig& config)
      : dir_(std::move(dir)), topic_(std::move(topic)), partition_(partition), config_(config) {}
  Status Recover(bool clean_shutdown, std::vector<std::string>* report);
  Status RecoverLast(Offset base, bool clean_shutdown, Offset expected_base,
                     std::vector<std::string>* report);
  Status Roll(Offset next);  // mu_ held
  struct CacheRelease {
    std::shared_ptr<Segment> segment;
    uint64_t end;
    bool complete;  ///< `end` is the end of a segment that will not grow again
  };
  using CacheReleases = std::vector<CacheRelease>;
  /// Which segments to drop from the page cache, below which byte, now that `synced` is
  /// fdatasync'd to `synced_bytes` (see LogConfig::page_cache_bytes). mu_ held.
  CacheReleases CacheReleasesAfterSync(const Segment& synced, uint64_t synced_bytes) const;
  Status Fail(Status s);     // mu_ held
  std::string Name() const { return topic_ + "/" + std::to_string(partition_); }

  const std::string dir_;
  const std::string topic_;
  const int32_t partition_;
  const LogConfig config_;

  mutable std::mutex mu_;  // guards everything below except the atomics
  std::vector<std::shared_ptr<Segment>> segments_;
  int64_t next_offset_ = 0;   ///< offset of the next append
  int64_t synced_ = 0;        ///< everything below is fdatasync'd
  uint64_t scanned_end_ = 0;  ///< read-only: valid bytes of the last segment seen so far
  bool closed_ = false;
  Status failure_;

  std::atomic<int64_t> durable_end_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> dirty_{false};
};

}  // namespace rivven::embedded
