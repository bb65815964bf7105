#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "broker/embedded/file.h"

namespace rivven::embedded {

/// Exclusive ownership of a data dir by one process: flock(2) on `<data_dir>/.lock`, which holds
/// the owner's pid so that a second process can say who has it. The kernel releases the lock
/// when the owner exits, however it exits, so a stale lock file never blocks a restart.
class DataDirLock {
 public:
  /// FailedPrecondition "data dir X is in use by process PID" when another process (or another
  /// open of the same dir in this process) holds it.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);
  ~DataDirLock();

 private:
  explicit DataDirLock(File f) : file_(std::move(f)) {}
  File file_;
};

}  // namespace rivven::embedded
