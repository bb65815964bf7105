#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace rivven::file {

/// Removes an unfinished last line of an append file: bytes after the final "\n" can only come
/// from a write that no Flush completed, so no committed offset covers them and they will be
/// written again.
Status CutTornTail(int fd, const std::string& what);

/// What recovery did, for logs and tests.
struct RecoveryReport {
  uint64_t published = 0;  ///< in-progress files repaired and renamed to their final name
  uint64_t removed = 0;    ///< in-progress files that held no complete record
  uint64_t cut_bytes = 0;  ///< bytes of torn tails removed
};

/// Completes the in-progress files an earlier run of a sink on `dir` left behind (a crash, a failed
/// fsync): each is cut to its last complete record (plain formats) or last complete compression
/// member (gzip member, zstd frame, snappy stream; verified by decoding), a json array is closed,
/// and the file is synced and renamed to its final name, or removed when nothing complete is left.
/// The format and compression come from the file's name, so leftovers of an earlier configuration
/// are completed too. Only files of `topics` (all when empty) are touched: another sink may be
/// writing other topics into the same directory. Called by Open before anything is written.
Result<RecoveryReport> RecoverInProgressFiles(int dir_fd, const std::string& dir,
                                              const std::vector<std::string>& topics);

}  // namespace rivven::file
