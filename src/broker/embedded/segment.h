#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "broker/embedded/file.h"

namespace rivven::embedded {

/// One entry of the sparse offset index: a batch starting at `position` of the log file whose
/// base offset is segment base + `relative_offset`. Stored big-endian, 8 bytes, as Kafka does.
struct IndexEntry {
  uint32_t relative_offset = 0;
  uint32_t position = 0;
};

/// Bytes of log between two index entries.
inline constexpr uint64_t kIndexIntervalBytes = 4096;

/// Entries strictly increasing in both offset and position, all inside a log of `log_size` bytes.
bool IndexPlausible(const std::vector<IndexEntry>& entries, uint64_t log_size);

/// What validating a run of batches found.
struct ScanResult {
  uint64_t valid_end = 0;         ///< byte position after the last intact batch
  Offset next_offset;             ///< offset after the last intact batch
  uint64_t file_size = 0;         ///< size of the file when scanned
  int64_t batches = 0;            ///< intact batches seen
  std::string problem;            ///< why the scan stopped before file_size; empty if it did not
  bool torn = false;              ///< the problem is an incomplete batch at the end (a torn write)
  std::vector<IndexEntry> index;  ///< entries for the intact batches scanned
};

/// One segment of a partition: `<base offset, 20 digits>.log` holding RecordBatch v2 batches
/// back to back, and `<base>.index`, a sparse offset index rebuildable from the log.
///
/// Shared (std::shared_ptr) between the partition that appends to it and the readers positioned
/// in it, because retention may drop a segment from the partition while a consumer is still
/// reading it; the file is unlinked at once and closed when the last reader lets go.
///
/// Threads: Append/Truncate/AddIndexEntry/Seal only from the partition's writer (partition lock
/// held); ReadAt/Lookup/size from any thread. Data is durable after DataSync returns; the index
/// is never fsync'd except on Seal (a lost index is rebuilt on open).
class Segment {
 public:
  /// Creates `<dir>/<base>.log` (empty) for appending. AlreadyExists if it is there.
  static Result<std::shared_ptr<Segment>> Create(const std::string& dir, Offset base);
  /// Opens an existing segment; its size is the file size until SetValidSize says otherwise.
  static Result<std::shared_ptr<Segment>> Open(const std::string& dir, Offset base, bool read_only);

  static std::string FileName(Offset base, const char* extension);
  /// The base offset encoded in a segment file name, or -1 when `name` is not `<20 digits>.log`.
  static int64_t ParseLogFileName(const std::string& name);

  Offset base_offset() const { return base_; }
  const std::string& log_path() const { return log_.path(); }
  const std::string& index_path() const { return index_path_; }
  std::string log_name() const { return FileName(base_, ".log"); }
  /// Bytes of batches in the file that belong to the log (appended, or validated on open).
  uint64_t size() const { return size_.load(std::memory_order_acquire); }

  // ---- validation (on open, before the segment is shared)

  /// Validates batches from byte `from_pos`, whose first batch must have base offset `from`,
  /// to the end of the file: framing, CRC-32C, offsets contiguous. Builds index entries.
  Result<ScanResult> Scan(uint64_t from_pos, Offset from) const;
  /// Checks a segment that should be complete: entries of the .index file are plausible and the
  /// batches after the last entry are intact up to the exact end of the file. A missing or bad
  /// index is rebuilt by a full scan. Corruption (naming file and byte position) when the log
  /// itself is damaged. Returns the offset after the last batch.
  /// Read-only views keep a rebuilt index in memory instead of writing it.
  Result<Offset> ValidateComplete(bool read_only, std::string* index_note);
  /// The .index file's entries; empty when missing, InvalidArgument-like Corruption when bad.
  Result<std::vector<IndexEntry>> LoadIndexFile() const;
  /// Installs entries from a scan as the in-memory index of an active segment.
  void SetIndex(std::vector<IndexEntry> entries);
  /// Adds entries for batches past the last indexed one (read-only views following a live log).
  void ExtendIndex(const std::vector<IndexEntry>& entries);
  void SetValidSize(uint64_t size) { size_.store(size, std::memory_order_release); }

  // ---- writer

  /// Appends `n` bytes at size(). On failure the file is cut back to its previous size; if even
  /// that fails, `*cut_back_failed` is set and the segment must not be appended to again.
  Status Append(const char* data, size_t n, bool* cut_back_failed);
  /// Records a batch (base offset, byte position) in the index if ~4 KiB passed since the last.
  void MaybeIndex(Offset batch_base, uint64_t position);
  Status Truncate(uint64_t size);
  Status DataSync() const { return log_.DataSync(); }
  /// Starts writeback of dirty pages without waiting (sync_file_range), so that the fsyncs of
  /// several partitions overlap their I/O. Advisory: errors surface in DataSync.
  void StartWriteback() const;
  /// Drops the file's cached pages below byte `end` from the OS page cache, once each: only what
  /// lies past the previous call's end is advised. `end` is rounded down to a 512-page boundary
  /// (large folios are never split, and the next append never reads back a partly written
  /// page), unless `complete`: the segment will never grow again and is dropped to its end.
  /// Call only for fsync'd bytes (dirty pages would stay). Advisory: errors are ignored.
  void ReleaseCacheBelow(uint64_t end, bool complete);
  /// Bytes below which ReleaseCacheBelow has dropped the cache.
  uint64_t cache_released() const { return cache_released_.load(std::memory_order_relaxed); }
  /// Writes the in-memory index to the .index file (atomically) without sealing.
  Status WriteIndexFile() const;
  /// The segment will never grow again: writes and fsyncs its index and frees the in-memory one.
  Status Seal();

  // ---- readers

  /// A byte position at or before the batch holding `offset` (0 when unknown).
  uint64_t Lookup(Offset offset) const;
  Status ReadAt(uint64_t pos, char* buf, size_t n, size_t* got) const {
    return log_.ReadAt(pos, buf, n, got);
  }
  /// Last modification time of the log file (the last append), ms since the epoch.
  Result<TimestampMs> LastModifiedMs() const;
  /// Unlinks the files (retention); readers holding the segment can finish reading.
  Status Remove() const;

 private:
  Segment(File log, std::string index_path, Offset base)
      : log_(std::move(log)), index_path_(std::move(index_path)), base_(base) {}
  std::string EncodeIndex(const std::vector<IndexEntry>& entries) const;

  File log_;
  std::string index_path_;
  Offset base_;
  std::atomic<uint64_t> size_{0};
  std::atomic<uint64_t> cache_released_{0};

  mutable std::mutex index_mu_;  // guards the three below
  std::vector<IndexEntry> index_;
  uint64_t last_indexed_pos_ = 0;
  bool sealed_ = false;
};

}  // namespace rivven::embedded
