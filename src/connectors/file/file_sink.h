#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/types.h"
#include "connectors/connector.h"
#include "connectors/file/file_sink_config.h"

namespace rivven {

class Registry;

/// Registers the "file" sink (descriptor, schema, factory, check).
void RegisterFileSink(Registry& registry);

namespace file {

class OutputFile;

/// Writes records to files in one directory, one current file per topic.
///
/// Layout. The plain case (format jsonl, no compression, no rotation) appends forever to
/// `<path>/<topic>.jsonl`, so `tail -f` works and a restart continues the file. Every other
/// setting writes rolling files `<path>/<topic>-<yyyymmddTHHMMSSZ>-<seq>.<ext>` (ext: jsonl, csv
/// or json, plus .gz/.zst/.sz), created as the hidden `.<name>.inprogress` and renamed once
/// complete: when rotation says so (rotation.max_size_mb reached, rotation.max_age_hours passed — checked
/// when a record for the topic arrives and at every Flush) and on Close. A file whose name
/// has no leading dot is complete and never changes again. Topic names are escaped
/// (EscapeTopic) so no name leaves the directory.
///
/// Durability. Write only buffers (and hands full buffers to the kernel). Flush writes every
/// buffer, ends each compressed file's member (gzip member, zstd frame, snappy stream), fdatasyncs
/// every file written since the last Flush and fsyncs the directory after files were created; only
/// then may the runtime commit offsets. Completing a file syncs it, renames it and fsyncs the
/// directory.
///
/// Crashes. At-least-once: records after the last committed offset are written again after a
/// restart, never lost. Open first completes the in-progress files an earlier run left (see
/// RecoverInProgressFiles): each keeps at least everything a successful Flush covered, cut at
/// its last complete record or compression member, json arrays closed. An append file's torn
/// last line is cut when it is reopened. After a failed fdatasync the sink completes nothing
/// (every later call fails) and leaves the repair to the next Open.
///
/// Records a format cannot hold (csv: a value that is not a JSON object, or has keys the
/// file's header lacks) go to the on_error handler with the reason and topic/partition/offset.
///
/// Owned by the sink runner; all calls come from that one thread.
class FileSink final : public Sink {
 public:
  /// Wall-clock milliseconds, for file names and ages; injectable for tests.
  using Clock = std::function<TimestampMs()>;

  static constexpr size_t kBufferBytes = 1 << 20;

  /// `errors`: the on_error handler (null: a rejected record fails the sink). `topics`: the
  /// subscribed topics, whose leftover in-progress files Open completes (empty: all of them).
  explicit FileSink(FileSinkConfig config, RecordErrorHandler* errors = nullptr,
                    std::vector<std::string> topics = {}, Clock clock = {});
  ~FileSink() override;

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

  /// fdatasync/fsync calls made so far (files and directory), for tests and metrics.
  uint64_t sync_count() const { return sync_count_; }
  /// Rolling files completed (renamed to their final name) by this instance, recovery included.
  uint64_t files_completed() const { return files_completed_; }

 private:
  Result<OutputFile*> FileFor(const std::string& topic);
  /// Completes the topic's current file and forgets it.
  Status Complete(const std::string& topic);
  Status SyncDirectory();
  Status Reject(const ConsumedRecord& record, const Status& why);
  bool Aged(const OutputFile& f, TimestampMs now) const;
  void CloseAll();

  FileSinkConfig config_;
  RecordErrorHandler* errors_;
  std::vector<std::string> topics_;
  Clock clock_;
  int dir_fd_ = -1;
  bool dir_dirty_ = false;  ///< a file was created since the directory was last synced
  Status failed_;           ///< a sync failed: every later call returns this
  std::unordered_map<std::string, std::unique_ptr<OutputFile>> files_;
  OutputFile* last_ = nullptr;  ///< consecutive records usually share a topic
  uint64_t sync_count_ = 0;
  uint64_t files_completed_ = 0;
};

}  // namespace file
}  // namespace rivven
