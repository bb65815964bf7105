#include "connectors/file/file_sink_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "connectors/file/file_sink_recovery.h"

namespace rivven::file {
namespace {

constexpr uint32_t kMaxSequenceTries = 100'000;

bool Exists(int dir_fd, const std::string& name, Status* error) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
  if (errno != ENOENT) *error = Status::FromErrno(errno, "file sink: stat " + name);
  return false;
}

}  // namespace

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

Result<std::unique_ptr<OutputFile>> OutputFile::OpenAppend(int dir_fd, const std::string& dir,
                                                           const std::string& topic,
                                                           bool* created) {
  RC_ASSIGN_OR_RETURN(std::string name, TopicFileName(topic, FileExtension(FileFormat::kJsonl)));
  std::unique_ptr<OutputFile> f(new OutputFile());
  f->topic_ = topic;
  f->dir_ = dir;
  f->dir_fd_ = dir_fd;
  f->name_ = name;
  f->display_ = dir + "/" + name;
  // O_NOFOLLOW: a symlink planted in the directory cannot redirect our writes elsewhere.
  constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
  f->fd_ = ::openat(dir_fd, name.c_str(), kFlags | O_CREAT | O_EXCL, 0644);
  *created = f->fd_ >= 0;
  if (f->fd_ < 0) {
    if (errno != EEXIST) return Status::FromErrno(errno, "file sink: creating " + f->display_);
    f->fd_ = ::openat(dir_fd, name.c_str(), kFlags);
    if (f->fd_ < 0) return Status::FromErrno(errno, "file sink: opening " + f->display_);
    RC_RETURN_IF_ERROR(CutTornTail(f->fd_, f->display_));
  }
  f->encoder_ = RecordEncoder::Create(FileFormat::kJsonl);
  f->plain_.reserve(kBufferBytes + kCompressChunk);
  return f;
}

Result<std::unique_ptr<OutputFile>> OutputFile::CreateRolling(int dir_fd, const std::string& dir,
                                                              const std::string& topic,
                                                              const FileSinkConfig& config,
                                                              TimestampMs now) {
  const std::string ext =
      std::string(FileExtension(config.format)) + formats::CompressionExtension(config.compression);
  std::unique_ptr<OutputFile> f(new OutputFile());
  f->topic_ = topic;
  f->dir_ = dir;
  f->dir_fd_ = dir_fd;
  f->created_ms_ = now;
  for (uint32_t seq = 0; seq < kMaxSequenceTries && f->fd_ < 0; ++seq) {
    RC_ASSIGN_OR_RETURN(std::string final_name, RollingFileName(topic, now, seq, ext));
    Status error;
    if (Exists(dir_fd, final_name, &error)) continue;
    RC_RETURN_IF_ERROR(error);
    const std::string name = InProgressName(final_name);
    f->fd_ = ::openat(dir_fd, name.c_str(),
                      O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f->fd_ < 0) {
      if (errno == EEXIST) continue;
      return Status::FromErrno(errno, "file sink: creating " + dir + "/" + name);
    }
    f->name_ = name;
    f->display_ = dir + "/" + name;
    f->rolling_ = ParseInProgressName(name);
    RC_ASSERT(f->rolling_.has_value());
  }
  if (f->fd_ < 0) {
    return Status::Internal("file sink: no free file name for topic '" + topic + "' in " + dir);
  }
  f->encoder_ = RecordEncoder::Create(config.format);
  if (config.compression != formats::Compression::kNone) {
    RC_ASSIGN_OR_RETURN(f->compressor_, formats::Compressor::Create(config.compression));
    f->plain_.reserve(2 * kCompressChunk);
    f->packed_.reserve(kBufferBytes + kCompressChunk);
  } else {
    f->plain_.reserve(kBufferBytes + kCompressChunk);
  }
  return f;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t OutputFile::size() const {
  return written_ + (compressor_ ? packed_.size() : plain_.size());
}

Status OutputFile::Append(const ConsumedRecord& record) {
  RC_RETURN_IF_ERROR(encoder_->Append(record, plain_));
  ++records_;
  return Status::Ok();
}

Status OutputFile::MaybeDrain() {
  if (!compressor_) return plain_.size() >= kBufferBytes ? WriteOut(plain_) : Status::Ok();
  if (plain_.size() >= kCompressChunk) {
    RC_RETURN_IF_ERROR(compressor_->Write(plain_, packed_).WithContext(display_));
    plain_.clear();
  }
  return packed_.size() >= kBufferBytes ? WriteOut(packed_) : Status::Ok();
}

Status OutputFile::Drain() {
  if (!compressor_) return WriteOut(plain_);
  if (!plain_.empty()) {
    RC_RETURN_IF_ERROR(compressor_->Write(plain_, packed_).WithContext(display_));
    plain_.clear();
  }
  return WriteOut(packed_);
}

Status OutputFile::WriteOut(std::string& bytes) {
  if (fd_ < 0) return Status::FailedPrecondition("file sink: " + display_ + " is closed");
  size_t done = 0;
  Status result;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      unsynced_ = true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      result = Status::FromErrno(n < 0 ? errno : EIO, "file sink: writing " + display_);
      break;
    }
  }
  written_ += done;
  // Keep what was not written so a retry continues where this one stopped.
  bytes.erase(0, done);
  return result;
}

Status OutputFile::Sync(uint64_t* synced) {
  if (sync_failed_) {
    return Status::IoError("file sink: " + display_ + " failed to sync earlier");
  }
  RC_RETURN_IF_ERROR(Drain());
  if (compressor_ && compressor_->member_open()) {
    RC_RETURN_IF_ERROR(compressor_->EndMember(packed_).WithContext(display_));
    RC_RETURN_IF_ERROR(WriteOut(packed_));
  }
  if (!unsynced_) return Status::Ok();
  if (::fdatasync(fd_) != 0) {
    sync_failed_ = true;
    return Status::FromErrno(errno, "file sink: fdatasync " + display_)
        .WithDisposition(Disposition::kFatal);
  }
  unsynced_ = false;
  ++*synced;
  return Status::Ok();
}

Result<std::string> OutputFile::Finish(uint64_t* synced) {
  struct CloseOnExit {
    int& fd;
    ~CloseOnExit() {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  } close_on_exit{fd_};
  if (fd_ < 0) return std::string();
  if (rolling_ && records_ > 0) encoder_->AppendTrailer(plain_);
  RC_RETURN_IF_ERROR(Sync(synced));
  if (!rolling_) return std::string();
  if (records_ == 0) {
    if (::unlinkat(dir_fd_, name_.c_str(), 0) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "file sink: removing empty " + display_);
    }
    return std::string();
  }
  RC_ASSIGN_OR_RETURN(std::string final_name, PublishRollingFile(dir_fd_, dir_, name_, *rolling_));
  name_ = final_name;
  display_ = dir_ + "/" + final_name;
  return final_name;
}

Result<std::string> PublishRollingFile(int dir_fd, const std::string& dir, const std::string& from,
                                       const RollingName& name) {
  for (uint32_t seq = name.seq; seq < name.seq + kMaxSequenceTries; ++seq) {
    const std::string target = name.WithSequence(seq);
    if (::renameat2(dir_fd, from.c_str(), dir_fd, target.c_str(), RENAME_NOREPLACE) == 0) {
      return target;
    }
    if (errno == EEXIST) continue;
    if (errno != EINVAL && errno != ENOSYS) {
      return Status::FromErrno(errno, "file sink: renaming " + dir + "/" + from + " to " + target);
    }
    // No RENAME_NOREPLACE on this file system: link (which never replaces) and unlink.
    if (::linkat(dir_fd, from.c_str(), dir_fd, target.c_str(), 0) != 0) {
      if (errno == EEXIST) {
        // A crash between link and unlink leaves both names on one file: finish the unlink.
        struct stat a {
        }, b{};
        if (::fstatat(dir_fd, from.c_str(), &a, AT_SYMLINK_NOFOLLOW) == 0 &&
            ::fstatat(dir_fd, target.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
          if (::unlinkat(dir_fd, from.c_str(), 0) != 0) {
            return Status::FromErrno(errno, "file sink: removing " + dir + "/" + from);
          }
          return target;
        }
        continue;
      }
      return Status::FromErrno(errno, "file sink: linking " + dir + "/" + from + " to " + target);
    }
    if (::unlinkat(dir_fd, from.c_str(), 0) != 0) {
      return Status::FromErrno(errno, "file sink: removing " + dir + "/" + from);
    }
    return target;
  }
  return Status::Internal("file sink: no free final name for " + dir + "/" + from);
}

}  // namespace rivven::file
