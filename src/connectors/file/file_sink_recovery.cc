#include "connectors/file/file_sink_recovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "base/log.h"
#include "connectors/file/file_sink_config.h"
#include "connectors/file/file_sink_encoder.h"
#include "connectors/file/file_sink_output.h"
#include "formats/compression.h"
#include "formats/csv_writer.h"

namespace rivven::file {
namespace {

constexpr size_t kScanChunk = 64 * 1024;
constexpr size_t kDecodeChunk = 1 << 20;

/// The offset just after the last "\n" of the file's first `size` bytes (0 when there is none).
Result<uint64_t> LastLineEnd(int fd, uint64_t size, const std::string& what) {
  std::string chunk(kScanChunk, '\0');
  uint64_t end = size;
  while (end > 0) {
    const uint64_t start = end > kScanChunk ? end - kScanChunk : 0;
    const auto len = static_cast<size_t>(end - start);
    RC_RETURN_IF_ERROR(ReadFully(fd, chunk.data(), len, static_cast<off_t>(start), what));
    if (const void* nl = ::memrchr(chunk.data(), '\n', len)) {
      return start + static_cast<uint64_t>(static_cast<const char*>(nl) - chunk.data()) + 1;
    }
    end = start;
  }
  return uint64_t{0};
}

/// The end of the last complete CSV record: the whole file is scanned, since a quoted field may
/// hold line breaks.
Result<formats::CsvRecordScanner> ScanCsv(int fd, uint64_t size, const std::string& what) {
  formats::CsvRecordScanner scanner;
  std::string chunk(kDecodeChunk, '\0');
  for (uint64_t at = 0; at < size;) {
    const auto len = static_cast<size_t>(std::min<uint64_t>(kDecodeChunk, size - at));
    RC_RETURN_IF_ERROR(ReadFully(fd, chunk.data(), len, static_cast<off_t>(at), what));
    scanner.Feed(std::string_view(chunk.data(), len));
    at += len;
  }
  return scanner;
}

struct Survivor {
  uint64_t keep = 0;         ///< bytes to keep
  bool has_records = false;  ///< they hold at least one record (not just a header or "[")
  bool json_closed = false;  ///< the kept bytes already end with the json trailer
};

/// "[\n": the bytes a json file starts with before its first element.
constexpr uint64_t kJsonArrayStart = 2;

bool EndsWithJsonTrailer(std::string_view tail) {
  // The trailer line alone: an element line never is just "]".
  return tail.ends_with(std::string("\n") + std::string(kJsonArrayEnd));
}

/// Decodes the file member by member; everything after the last complete, verified member goes.
Result<std::unique_ptr<formats::Decompressor>> ScanCompressed(int fd, uint64_t size,
                                                              formats::Compression c,
                                                              const std::string& what) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<formats::Decompressor> d, formats::Decompressor::Create(c));
  std::string chunk(kDecodeChunk, '\0');
  for (uint64_t at = 0; at < size;) {
    const auto len = static_cast<size_t>(std::min<uint64_t>(kDecodeChunk, size - at));
    RC_RETURN_IF_ERROR(ReadFully(fd, chunk.data(), len, static_cast<off_t>(at), what));
    if (Status st = d->Feed(std::string_view(chunk.data(), len), nullptr); !st.ok()) {
      log::Warn("file", "{}: {}", what, st.message());
      break;
    }
    at += len;
  }
  return d;
}

Result<Survivor> FindSurvivor(int fd, uint64_t size, const RollingName& rn,
                              const std::string& what) {
  Survivor s;
  uint64_t text_bytes = 0;  // decoded bytes kept
  if (rn.compression != formats::Compression::kNone) {
    RC_ASSIGN_OR_RETURN(std::unique_ptr<formats::Decompressor> d,
                        ScanCompressed(fd, size, rn.compression, what));
    s.keep = d->complete_input();
    text_bytes = d->complete_output();
    s.json_closed = EndsWithJsonTrailer(d->complete_tail());
  } else if (rn.format == FileFormat::kCsv) {
    RC_ASSIGN_OR_RETURN(formats::CsvRecordScanner csv, ScanCsv(fd, size, what));
    s.keep = csv.complete_bytes();
    s.has_records = csv.records() > 1;  // more than the header
    return s;
  } else {
    RC_ASSIGN_OR_RETURN(s.keep, LastLineEnd(fd, size, what));
    text_bytes = s.keep;
    if (rn.format == FileFormat::kJson && s.keep >= 3) {
      char tail[3];
      RC_RETURN_IF_ERROR(ReadFully(fd, tail, 3, static_cast<off_t>(s.keep - 3), what));
      s.json_closed = EndsWithJsonTrailer(std::string_view(tail, 3));
    }
  }
  // A compressed csv header is always in the member of its first row, so any text is a record.
  uint64_t empty_bytes = 0;
  if (rn.format == FileFormat::kJson) {
    empty_bytes = kJsonArrayStart + (s.json_closed ? kJsonArrayEnd.size() : 0);
  }
  s.has_records = text_bytes > empty_bytes;
  return s;
}

Status WriteAt(int fd, std::string_view bytes, uint64_t offset, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::FromErrno(n < 0 ? errno : EIO, "file sink: writing " + what);
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

/// Repairs one in-progress file and publishes (or removes) it.
Status RecoverOne(int dir_fd, const std::string& dir, const std::string& name,
                  const RollingName& rn, RecoveryReport& report) {
  const std::string what = dir + "/" + name;
  const int fd = ::openat(dir_fd, name.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ELOOP) {
      log::Warn("file", "{}: a symbolic link, not a file this sink wrote; left alone", what);
      return Status::Ok();
    }
    return Status::FromErrno(errno, "file sink: opening " + what);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "file sink: fstat " + what);
  if (!S_ISREG(st.st_mode)) return Status::Ok();
  const auto size = static_cast<uint64_t>(st.st_size);
  RC_ASSIGN_OR_RETURN(Survivor s, FindSurvivor(fd, size, rn, what));
  if (s.keep < size) {
    if (::ftruncate(fd, static_cast<off_t>(s.keep)) != 0) {
      return Status::FromErrno(errno, "file sink: truncating " + what);
    }
    report.cut_bytes += size - s.keep;
    log::Warn("file", "{}: removed {} bytes of unfinished records at the end (a crash)", what,
              size - s.keep);
  }
  if (!s.has_records) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0) {
      return Status::FromErrno(errno, "file sink: removing " + what);
    }
    ++report.removed;
    log::Info("file", "{}: removed, no complete record in it", what);
    return Status::Ok();
  }
  if (rn.format == FileFormat::kJson && !s.json_closed) {
    std::string trailer(kJsonArrayEnd);
    if (rn.compression != formats::Compression::kNone) {
      RC_ASSIGN_OR_RETURN(trailer, formats::Compress(rn.compression, trailer));
    }
    RC_RETURN_IF_ERROR(WriteAt(fd, trailer, s.keep, what));
  }
  if (::fdatasync(fd) != 0) return Status::FromErrno(errno, "file sink: fdatasync " + what);
  RC_ASSIGN_OR_RETURN(std::string final_name, PublishRollingFile(dir_fd, dir, name, rn));
  ++report.published;
  log::Info("file", "{}: completed after an earlier run stopped, as {}", what, final_name);
  return Status::Ok();
}

}  // namespace

Status CutTornTail(int fd, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "file sink: fstat " + what);
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size == 0) return Status::Ok();
  RC_ASSIGN_OR_RETURN(uint64_t cut, LastLineEnd(fd, size, what));
  if (cut == size) return Status::Ok();
  if (::ftruncate(fd, static_cast<off_t>(cut)) != 0) {
    return Status::FromErrno(errno, "file sink: truncating " + what);
  }
  if (::fdatasync(fd) != 0) return Status::FromErrno(errno, "file sink: fdatasync " + what);
  log::Warn("file", "{}: removed {} bytes of an unfinished record at the end", what, size - cut);
  return Status::Ok();
}

Result<RecoveryReport> RecoverInProgressFiles(int dir_fd, const std::string& dir,
                                              const std::vector<std::string>& topics) {
  std::set<std::string, std::less<>> mine;
  for (const std::string& t : topics) mine.insert(EscapeTopic(t));
  std::vector<std::pair<std::string, RollingName>> found;
  {
    const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "file sink: listing " + dir);
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return Status::FromErrno(errno, "file sink: listing " + dir);
    }
    while (const dirent* e = ::readdir(d)) {
      std::optional<RollingName> rn = ParseInProgressName(e->d_name);
      if (!rn) continue;
      if (!mine.empty() && !mine.contains(rn->escaped_topic)) continue;
      found.emplace_back(e->d_name, std::move(*rn));
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  RecoveryReport report;
  for (const auto& [name, rn] : found) {
    RC_RETURN_IF_ERROR(RecoverOne(dir_fd, dir, name, rn, report));
  }
  if (report.published + report.removed > 0 && ::fsync(dir_fd) != 0) {
    return Status::FromErrno(errno, "file sink: fsync directory " + dir);
  }
  return report;
}

}  // namespace rivven::file
