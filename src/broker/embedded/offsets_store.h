#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "broker/broker.h"
#include "broker/embedded/file.h"

namespace rivven::embedded {

/// Committed consumer-group offsets (group/topic/partition -> next offset) and source
/// checkpoints (source name -> opaque position), in one append-only file `<data_dir>/offsets.log`
/// of RecordBatch v2 batches (the embedded counterpart of Kafka's __consumer_offsets and Kafka
/// Connect's connect-offsets). Each Commit or Save is one CRC-32C-checked batch, so a commit of
/// several partitions is atomic. Open replays the file; a torn tail (a commit that never returned)
/// is cut off and reported. When the file outgrows its live contents it is compacted: the live
/// entries are written to a temporary file, fsync'd and renamed over the log.
///
/// Durability: Commit and Save return once their batch is fdatasync'd. Concurrent callers share
/// fsyncs (the first waiter syncs for everyone queued behind it). Thread-safe.
class OffsetsStore final : public CheckpointStore {
 public:
  /// `compact_min_bytes`: never compact a smaller file.
  static Result<std::unique_ptr<OffsetsStore>> Open(const std::string& path, bool read_only,
                                                    std::vector<std::string>* report,
                                                    uint64_t compact_min_bytes = 1 << 20);
  ~OffsetsStore() override;

  Status Commit(const std::string& group, const std::vector<TopicPartitionOffset>& offsets);
  std::optional<Offset> Committed(const std::string& group, const std::string& topic,
                                  int32_t partition) const;
  /// Every committed partition of `group` on `topic`, by partition.
  std::vector<TopicPartitionOffset> CommittedOffsets(const std::string& group,
                                                     const std::string& topic) const;

  Status Save(const std::string& source, const std::string& position) override;
  Result<std::optional<std::string>> Load(const std::string& source) override;

  /// Rewrites the file with only the live entries (also done automatically as it grows).
  Status Compact();
  uint64_t file_bytes() const;
  /// Rejects further writes.
  void Close();

 private:
  OffsetsStore(std::string path, bool read_only, uint64_t compact_min_bytes)
      : path_(std::move(path)), read_only_(read_only), compact_min_bytes_(compact_min_bytes) {}
  Status Replay(std::vector<std::string>* report);
  /// Appends one batch of (key, value) entries and waits until it is durable.
  Status Put(std::vector<std::pair<std::string, std::string>> entries);
  Status CompactLocked();  // mu_ held, nothing unsynced, no sync running
  uint64_t LiveBytes() const;

  const std::string path_;
  const bool read_only_;
  const uint64_t compact_min_bytes_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable synced_cv_;
  File file_;
  uint64_t size_ = 0;            ///< bytes in the file
  int64_t next_offset_ = 0;      ///< offset of the next record in the file
  uint64_t appended_total_ = 0;  ///< bytes ever appended (monotonic across compactions)
  uint64_t synced_total_ = 0;    ///< of which fdatasync'd
  bool syncing_ = false;
  bool closed_ = false;
  Status failure_;
  std::map<std::string, std::string> entries_;  ///< encoded key -> value
};

}  // namespace rivven::embedded
