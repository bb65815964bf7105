#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/types.h"
#include "connectors/file/file_sink_config.h"
#include "connectors/file/file_sink_encoder.h"
#include "formats/compression.h"
#include "record/record.h"

namespace rivven::file {

/// One file the file sink writes: its descriptor, encoder, buffers and optional compressor.
///
/// Two kinds. An append file (`<topic>.jsonl`, the plain jsonl case) is opened for append and
/// lives as long as the sink. A rolling file is created as `.<final>.inprogress` (O_EXCL, hidden
/// from directory readers) and, once complete (rotation or Close), synced and renamed to its final
/// name, which is never overwritten: a taken name makes it take the next sequence number.
///
/// Durability: bytes pass encoder -> plain buffer -> (compressor -> compressed buffer) -> write(2);
/// nothing is durable until Sync returns OK, which writes everything, ends the open compression
/// member (gzip member, zstd frame or snappy stream; so the file decodes completely up to here) and
/// fdatasyncs. The caller fsyncs the directory after files were created or renamed.
///
/// Owned by FileSink; all calls come from the sink thread.
class OutputFile {
 public:
  /// Uncompressed bytes are written to the fd once this much is buffered; compressed ones once
  /// this much compressed output is buffered.
  static constexpr size_t kBufferBytes = 1 << 20;
  /// Plain bytes handed to the compressor at a time: small, so a compressed file's size (for
  /// rotation) is known to within one chunk plus the compressor's internal block.
  static constexpr size_t kCompressChunk = 64 * 1024;

  /// Opens `<dir>/<topic>.jsonl` for appending, creating it (O_EXCL) or, when it exists, cutting
  /// a torn last line. `*created` tells the caller to sync the directory.
  static Result<std::unique_ptr<OutputFile>> OpenAppend(int dir_fd, const std::string& dir,
                                                        const std::string& topic, bool* created);
  /// Creates a new rolling file for `topic`, named for `now`, with the first sequence number
  /// whose final and in-progress names are both free.
  static Result<std::unique_ptr<OutputFile>> CreateRolling(int dir_fd, const std::string& dir,
                                                           const std::string& topic,
                                                           const FileSinkConfig& config,
                                                           TimestampMs now);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& topic() const { return topic_; }
  /// `<dir>/<current name>`, for messages.
  const std::string& display() const { return display_; }
  TimestampMs created_ms() const { return created_ms_; }
  uint64_t records() const { return records_; }
  /// The file's size once its buffers are written: exact when uncompressed; for a compressed
  /// file, the compressor's output so far (input it still holds is not counted).
  uint64_t size() const;

  /// Encodes a record into the buffer. InvalidArgument (nothing written) when the format cannot
  /// hold it; no I/O.
  Status Append(const ConsumedRecord& record);
  /// Writes buffered bytes once enough have accumulated.
  Status MaybeDrain();
  /// Hands everything buffered to the kernel (not durable yet).
  Status Drain();
  /// Drain, end the compression member, fdatasync if anything was written since the last Sync.
  /// `*synced` counts the fdatasync calls made. A failed fdatasync is fatal and sets
  /// sync_failed(): the page cache no longer says what is on disk, so the file must not be
  /// completed; the next Open repairs it from what the disk holds.
  Status Sync(uint64_t* synced);
  bool sync_failed() const { return sync_failed_; }
  /// Completes a rolling file: trailer, Sync, rename to the final name. A file that holds no
  /// record is removed instead. Append files are only synced. Returns the final name ("" when
  /// nothing was renamed). The file is closed afterwards, whatever the outcome.
  Result<std::string> Finish(uint64_t* synced);

 private:
  OutputFile() = default;
  Status WriteOut(std::string& bytes);

  std::string topic_;
  std::string dir_;
  std::string display_;
  std::string name_;                    ///< current name in the directory
  std::optional<RollingName> rolling_;  ///< set for rolling files
  int dir_fd_ = -1;                     ///< not owned
  int fd_ = -1;
  TimestampMs created_ms_ = 0;
  uint64_t records_ = 0;
  uint64_t written_ = 0;   ///< bytes that reached the fd
  bool unsynced_ = false;  ///< bytes reached the fd since the last fdatasync
  bool sync_failed_ = false;
  std::unique_ptr<RecordEncoder> encoder_;
  std::unique_ptr<formats::Compressor> compressor_;
  std::string plain_;   ///< encoded, not yet compressed or written
  std::string packed_;  ///< compressed, not yet written
};

/// pread until `size` bytes are read; IoError on a short file.
Status ReadFully(int fd, char* buf, size_t size, off_t offset, const std::string& what);

/// Renames the in-progress file `from` (in `dir_fd`) to `name`'s final name, or to the first
/// free name with a higher sequence number: an existing file is never replaced (renameat2
/// RENAME_NOREPLACE; link + unlink where the file system lacks it). Returns the name used. The
/// caller fsyncs the directory.
Result<std::string> PublishRollingFile(int dir_fd, const std::string& dir, const std::string& from,
                                       const RollingName& name);

}  // namespace rivven::file
