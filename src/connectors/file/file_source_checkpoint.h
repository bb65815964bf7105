#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/file/file_source_reader.h"

namespace rivven::file {

/// A file's identity on this machine: device and inode. A renamed file keeps it; a file
/// re-created under the same path (rotation) gets a new one.
struct FileIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileIdentity&) const = default;
};

/// A hash of a file's first bytes, so a reused inode number or a file rewritten in place is
/// not mistaken for the file the checkpoint describes.
struct Fingerprint {
  static constexpr uint32_t kMaxBytes = 1024;
  uint32_t length = 0;  ///< bytes hashed (0 = none yet)
  uint64_t hash = 0;    ///< FNV-1a 64 of those bytes
  bool operator==(const Fingerprint&) const = default;
};

/// What the checkpoint records about one file.
struct FileState {
  std::string path;  ///< where it was last seen
  FileIdentity id;
  uint64_t size = 0;  ///< size when last looked at
  FileCursor cursor;  ///< offset and line just after the last record emitted
  Fingerprint fp;
  bool rotated = false;  ///< `path` names another file now; this one is being finished
};

/// The position of a file source: `{"files":[{"path":..,"dev":..,"ino":..,"size":..,
/// "offset":..,"line":..,"fp_len":..,"fp":"<16 hex>"[,"row":..][,"array":true]
/// [,"rotated":true]},..]}`. One entry per file the source knows (read, being read, or still to
/// read). `row` (format parquet, when not 0) counts the rows emitted; a Parquet file's `offset`
/// is 0 until it is done, then its size.
std::string FileStateJson(const FileState& state);
std::string CheckpointJson(const std::vector<std::string>& entries);
Result<std::vector<FileState>> ParseCheckpoint(std::string_view json);

/// The fingerprint of the first min(Fingerprint::kMaxBytes, `limit`) bytes of `fd`.
Result<Fingerprint> ComputeFingerprint(int fd, uint64_t limit);

}  // namespace rivven::file
