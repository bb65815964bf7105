#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "connectors/connector.h"
#include "connectors/file/file_source_checkpoint.h"
#include "connectors/file/file_source_config.h"

namespace rivven {

class Registry;

/// Registers the "file" source (descriptor, schema, factory, check, discover, validate).
void RegisterFileSource(Registry& registry);

namespace file {

class FileReader;
class FileWatcher;

/// Reads records from a file or from the files of a directory (in name order): JSON Lines, a
/// top-level JSON array, or CSV, each record becoming one compact JSON value (key null, no
/// headers, timestamp = read time).
///
/// Bounded (watch: false): the files present at Open are read to their end once; the batch
/// that completes the last one has finished = true. Watching: unbounded; appended bytes, new
/// files, rotations (same path, new inode: the old inode is finished through its open
/// descriptor, the new file read from the start) and truncations (read again from 0, with a
/// warning) are noticed through inotify and a listing every poll_interval_secs; an idle Poll
/// sleeps in poll(2) (no CPU) until then, new data, or a stop.
///
/// Position (JSON, see file_source_checkpoint.h): per file its identity (device + inode), a
/// fingerprint of its first bytes, the size seen, and the byte offset and line just after the
/// last record emitted. A source opened at a position continues exactly after that record; a
/// position is durable once the runtime has stored it, which it does only after the records
/// before it are durable. Files are matched by identity, so a file renamed inside the
/// directory keeps its offset.
///
/// Owned by the source runner; Open/Poll/Close come from that one thread.
class FileSource final : public Source {
 public:
  /// At most this many value bytes per batch (in addition to Poll's record limit).
  static constexpr size_t kMaxBatchBytes = 16 << 20;
  /// Watching: descriptors kept open at once; the least recently read beyond it are closed
  /// (and reopened by path when they grow).
  static constexpr size_t kMaxOpenReaders = 64;

  FileSource(FileSourceConfig config, ConnectorContext context);
  ~FileSource() override;

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Close() override;

  /// The position after everything returned so far.
  std::string Position();
  /// Bytes decoded of the bytes of all known files.
  SourceProgress Progress() const;

 private:
  struct Tracked;
  class BatchOutput;

  Status Scan(bool initial);
  void CheckOpenFiles();
  /// Reads from the files with work, in order; true when a limit stopped it.
  Result<bool> ReadFiles(SourceBatch& batch, size_t max_records);
  Result<bool> OpenReader(Tracked& t);
  bool HasWork(const Tracked& t, SteadyClock::time_point now) const;
  bool Quiet(const Tracked& t, SteadyClock::time_point now) const;
  Status UpdateSize(Tracked& t, uint64_t size, bool verify_fingerprint);
  void StartOver(Tracked& t, const std::string& why);
  void Retire(Tracked& t, const char* why);
  void Touch(Tracked& t);
  Tracked* FindById(const FileIdentity& id);
  bool Relevant(std::string_view name) const;
  void SortFiles();
  void RemoveRetired();
  bool AllDone() const;

  FileSourceConfig config_;
  ConnectorContext context_;
  std::vector<std::unique_ptr<Tracked>> files_;  // rotated ones first, then by path
  std::unique_ptr<FileWatcher> watcher_;
  std::string watch_dir_;   // the directory watched (the path, or a file's parent)
  std::string watch_name_;  // a watched file's name ("" for a directory)
  bool is_dir_ = false;
  bool opened_ = false;
  bool finished_ = false;
  bool dirty_ = false;   // the position changed since the last one returned
  bool rescan_ = false;  // list the directory before the next read
  bool missing_warned_ = false;
  SteadyClock::time_point next_scan_;
  SteadyClock::time_point last_scan_;
  std::optional<Status> pending_error_;  // a Reject that failed after records were read
};

}  // namespace file
}  // namespace rivven
