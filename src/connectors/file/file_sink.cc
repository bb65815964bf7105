#include "connectors/file/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "connectors/registry.h"
#include "record/json.h"

namespace rivven {
namespace file {
namespace {

constexpr size_t kScanChunk = 64 * 1024;

Status ReadFully(int fd, char* buf, size_t size, off_t offset, const std::string& what) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, buf + done, size - done, offset + static_cast<off_t>(done));
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return Status::FromErrno(n < 0 ? errno : EIO, "file sink: reading " + what);
    }
  }
  return Status::Ok();
}

/// Removes an unfinished last line: bytes after the final "\n" can only come from a write that
/// never completed a Flush, so no committed offset covers them and they will be written again.
Status CutTornTail(int fd, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "file sink: fstat " + what);
  if (st.st_size == 0) return Status::Ok();
  char last = 0;
  RC_RETURN_IF_ERROR(ReadFully(fd, &last, 1, st.st_size - 1, what));
  if (last == '\n') return Status::Ok();
  std::string chunk(kScanChunk, '\0');
  off_t end = st.st_size;
  off_t cut = 0;
  while (end > 0) {
    const off_t start = std::max<off_t>(0, end - static_cast<off_t>(kScanChunk));
    const auto len = static_cast<size_t>(end - start);
    RC_RETURN_IF_ERROR(ReadFully(fd, chunk.data(), len, start, what));
    if (const void* nl = ::memrchr(chunk.data(), '\n', len)) {
      cut = start + (static_cast<const char*>(nl) - chunk.data()) + 1;
      break;
    }
    end = start;
  }
  if (::ftruncate(fd, cut) != 0) return Status::FromErrno(errno, "file sink: truncating " + what);
  if (::fdatasync(fd) != 0) return Status::FromErrno(errno, "file sink: fdatasync " + what);
  log::Warn("file", "{}: removed {} bytes of an unfinished record at the end", what,
            st.st_size - cut);
  return Status::Ok();
}

void SyncParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).lexically_normal().parent_path();
  if (parent.empty()) parent = ".";
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);  // best effort: the directory itself is synced with its first file
  ::close(fd);
}

}  // namespace

struct FileSink::TopicFile {
  std::string topic;
  std::string display;  ///< <path>/<name>, for messages
  int fd = -1;
  std::string buffer;
  bool unsynced = false;  ///< bytes reached the fd since the last fdatasync

  ~TopicFile() {
    if (fd >= 0) ::close(fd);
  }
};

FileSink::FileSink(FileSinkConfig config) : config_(std::move(config)) {}

FileSink::~FileSink() { CloseAll(); }

void FileSink::CloseAll() {
  last_ = nullptr;
  files_.clear();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  dir_fd_ = -1;
}

Status FileSink::Open() {
  CloseAll();
  std::error_code ec;
  const bool created = std::filesystem::create_directories(config_.path, ec);
  if (ec) {
    return Status::IoError("file sink: creating directory " + config_.path + ": " + ec.message());
  }
  dir_fd_ = ::open(config_.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return Status::FromErrno(errno, "file sink: opening directory " + config_.path);
  if (created) {
    SyncParentDirectory(config_.path);
    dir_dirty_ = true;
  }
  return Status::Ok();
}

Result<std::unique_ptr<FileSink::TopicFile>> FileSink::OpenTopicFile(const std::string& topic) {
  RC_ASSIGN_OR_RETURN(std::string name, TopicFileName(topic, FileExtension(config_.format)));
  auto f = std::make_unique<TopicFile>();
  f->topic = topic;
  f->display = config_.path + "/" + name;
  // O_NOFOLLOW: a symlink planted in the directory cannot redirect our writes elsewhere.
  constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
  f->fd = ::openat(dir_fd_, name.c_str(), kFlags | O_CREAT | O_EXCL, 0644);
  if (f->fd >= 0) {
    dir_dirty_ = true;
  } else if (errno == EEXIST) {
    f->fd = ::openat(dir_fd_, name.c_str(), kFlags);
    if (f->fd < 0) return Status::FromErrno(errno, "file sink: opening " + f->display);
    RC_RETURN_IF_ERROR(CutTornTail(f->fd, f->display));
  } else {
    return Status::FromErrno(errno, "file sink: creating " + f->display);
  }
  f->buffer.reserve(kBufferBytes + kScanChunk);
  return f;
}

Result<FileSink::TopicFile*> FileSink::FileFor(const std::string& topic) {
  if (last_ != nullptr && last_->topic == topic) return last_;
  auto it = files_.find(topic);
  if (it == files_.end()) {
    RC_ASSIGN_OR_RETURN(std::unique_ptr<TopicFile> f, OpenTopicFile(topic));
    it = files_.emplace(topic, std::move(f)).first;
  }
  last_ = it->second.get();
  return last_;
}

Status FileSink::Write(const std::vector<ConsumedRecord>& records) {
  if (dir_fd_ < 0) return Status::FailedPrecondition("file sink: Write before Open");
  for (const ConsumedRecord& record : records) {
    RC_ASSIGN_OR_RETURN(TopicFile * f, FileFor(record.topic));
    const std::optional<std::string>& value = record.record.value;
    if (!value) {
      f->buffer += "null\n";
    } else if (std::memchr(value->data(), '\n', value->size()) == nullptr) {
      f->buffer += *value;  // the fast path: bytes as the source wrote them
      f->buffer.push_back('\n');
    } else {
      json::AppendJsonOrString(f->buffer, value);
      f->buffer.push_back('\n');
    }
    if (f->buffer.size() >= kBufferBytes) RC_RETURN_IF_ERROR(Drain(*f));
  }
  return Status::Ok();
}

Status FileSink::Drain(TopicFile& f) {
  size_t done = 0;
  Status result;
  while (done < f.buffer.size()) {
    const ssize_t n = ::write(f.fd, f.buffer.data() + done, f.buffer.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      f.unsynced = true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      result = Status::FromErrno(n < 0 ? errno : EIO, "file sink: writing " + f.display);
      break;
    }
  }
  // Keep what was not written so a retry continues where this one stopped.
  f.buffer.erase(0, done);
  return result;
}

Status FileSink::Flush() {
  if (dir_fd_ < 0) return Status::FailedPrecondition("file sink: Flush before Open");
  // Write everything first so the kernel can write back all files while we sync the first.
  for (auto& [topic, f] : files_) RC_RETURN_IF_ERROR(Drain(*f));
  for (auto& [topic, f] : files_) {
    if (!f->unsynced) continue;
    // After a failed fdatasync the page cache state is unknown: fatal, so the runtime restarts
    // the sink and replays from the last committed offset.
    if (::fdatasync(f->fd) != 0) {
      return Status::FromErrno(errno, "file sink: fdatasync " + f->display)
          .WithDisposition(Disposition::kFatal);
    }
    f->unsynced = false;
    ++sync_count_;
  }
  if (dir_dirty_) {
    if (::fsync(dir_fd_) != 0) {
      return Status::FromErrno(errno, "file sink: fsync directory " + config_.path)
          .WithDisposition(Disposition::kFatal);
    }
    dir_dirty_ = false;
    ++sync_count_;
  }
  return Status::Ok();
}

Status FileSink::Close() {
  Status st = dir_fd_ >= 0 ? Flush() : Status::Ok();
  CloseAll();
  return st;
}

}  // namespace file

void RegisterFileSink(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "file";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Appends records to local files, one <topic>.jsonl per topic in a directory; durable "
      "(fdatasync) before offsets are committed";
  d.schema = file::FileSinkSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(file::FileSinkConfig config, file::FileSinkConfigFromBound(bound));
    return std::unique_ptr<Sink>(std::make_unique<file::FileSink>(std::move(config)));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(file::FileSinkConfig config, file::FileSinkConfigFromBound(bound));
    // The directory or, when it does not exist yet, its nearest existing ancestor must be a
    // writable directory.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p = config.path;
    while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
    if (p.empty()) p = ".";
    if (!fs::is_directory(p, ec)) {
      return Status::InvalidArgument("file sink: " + p.string() + " is not a directory");
    }
    if (::access(p.c_str(), W_OK | X_OK) != 0) {
      return Status::FromErrno(errno, "file sink: " + p.string() + " is not writable");
    }
    return Status::Ok();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
