#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::embedded {

/// An open file descriptor with the path it was opened under (for error messages). Move-only;
/// closes on destruction. All I/O is positional (pread/pwrite), so one File may be read by
/// several threads at once while one thread appends.
class File {
 public:
  File() = default;
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  File(File&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  /// open(2) with O_CLOEXEC added; errors name the path.
  static Result<File> Open(const std::string& path, int flags, int mode = 0644);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  /// Reads up to `n` bytes at `offset`; `*got` < n only at end of file.
  Status ReadAt(uint64_t offset, void* buf, size_t n, size_t* got) const;
  /// Writes all `n` bytes at `offset` (retrying short writes). On failure the file may hold a
  /// partial write past `offset`; the caller truncates it back.
  Status WriteAt(uint64_t offset, const void* buf, size_t n) const;
  Status Truncate(uint64_t size) const;
  Status DataSync() const;
  Status Sync() const;
  Result<uint64_t> Size() const;
  void Close();

 private:
  int fd_ = -1;
  std::string path_;
};

/// fsync of a directory, so that entries created, renamed or removed in it are durable.
Status SyncDir(const std::string& dir);

/// Replaces `path` with `contents` atomically: write `path`.tmp, fsync it, rename over `path`,
/// fsync the directory. After a crash the file holds either the old or the new contents.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

/// The whole file; NotFound when it does not exist.
Result<std::string> ReadWholeFile(const std::string& path);

/// mkdir -p; the new directories' parents are fsync'd so the entries survive a crash.
Status CreateDirs(const std::string& dir);

/// Names (not paths) of the entries of `dir`, unsorted; NotFound when `dir` does not exist.
Result<std::vector<std::string>> ListDir(const std::string& dir);

/// unlink(2); a missing file is not an error.
Status RemoveFile(const std::string& path);

}  // namespace rivven::embedded
