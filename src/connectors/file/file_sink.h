#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/connector.h"
#include "connectors/file/file_sink_config.h"

namespace rivven {

class Registry;

/// Registers the "file" sink (descriptor, schema, factory, check).
void RegisterFileSink(Registry& registry);

namespace file {

/// Appends records to one file per topic, `<path>/<topic>.jsonl`: each value's bytes plus "\n",
/// copied without parsing (a null value is written as `null`; a value containing a newline is
/// compacted, or written as a JSON string when it is not JSON, so one record is one line).
///
/// Writes go to a 1 MiB buffer per file and reach the kernel in large write(2) calls. Data is
/// durable only when Flush returns OK: it writes every buffer, fdatasyncs each file written
/// since the last Flush and fsyncs the directory after new files appeared; only then may the
/// runtime commit offsets. Files are opened for append, so a restart continues them
/// (at-least-once: records after the last committed offset are written again, never lost). A
/// torn last line left by a crash before Flush completed is cut off when the file is reopened.
///
/// Owned by the sink runner; all calls come from that one thread.
class FileSink final : public Sink {
 public:
  static constexpr size_t kBufferBytes = 1 << 20;

  explicit FileSink(FileSinkConfig config);
  ~FileSink() override;

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

  /// fdatasync/fsync calls made so far (files and directory), for tests and metrics.
  uint64_t sync_count() const { return sync_count_; }

 private:
  struct TopicFile;

  Result<TopicFile*> FileFor(const std::string& topic);
  Result<std::unique_ptr<TopicFile>> OpenTopicFile(const std::string& topic);
  Status Drain(TopicFile& file);
  void CloseAll();

  FileSinkConfig config_;
  int dir_fd_ = -1;
  bool dir_dirty_ = false;  ///< a file was created since the directory was last synced
  std::unordered_map<std::string, std::unique_ptr<TopicFile>> files_;
  TopicFile* last_ = nullptr;  ///< consecutive records usually share a topic
  uint64_t sync_count_ = 0;
};

}  // namespace file
}  // namespace rivven
