#include "broker/embedded/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace rivven::embedded {

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

File::~File() { Close(); }

void File::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<File> File::Open(const std::string& path, int flags, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("open " + path + ": no such file or directory");
    if (err == EEXIST) return Status::Error(StatusCode::kAlreadyExists, path + " already exists");
    return Status::FromErrno(err, "open " + path);
  }
  return File(fd, path);
}

Status File::ReadAt(uint64_t offset, void* buf, size_t n, size_t* got) const {
  auto* p = static_cast<char*>(buf);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno,
                               "read " + path_ + " at byte " + std::to_string(offset + done));
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  *got = done;
  return Status::Ok();
}

Status File::WriteAt(uint64_t offset, const void* buf, size_t n) const {
  const auto* p = static_cast<const char*>(buf);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pwrite(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno,
                               "write " + path_ + " at byte " + std::to_string(offset + done));
    }
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Status File::Truncate(uint64_t size) const {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) {
      return Status::FromErrno(errno,
                               "truncate " + path_ + " to " + std::to_string(size) + " bytes");
    }
  }
  return Status::Ok();
}

Status File::DataSync() const {
  if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fdatasync " + path_);
  return Status::Ok();
}

Status File::Sync() const {
  if (::fsync(fd_) != 0) return Status::FromErrno(errno, "fsync " + path_);
  return Status::Ok();
}

Result<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "stat " + path_);
  return static_cast<uint64_t>(st.st_size);
}

Status SyncDir(const std::string& dir) {
  RC_ASSIGN_OR_RETURN(File f, File::Open(dir, O_RDONLY | O_DIRECTORY));
  return f.Sync();
}

namespace {
std::string Parent(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  {
    RC_ASSIGN_OR_RETURN(File f, File::Open(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    RC_RETURN_IF_ERROR(f.WriteAt(0, contents.data(), contents.size()));
    RC_RETURN_IF_ERROR(f.Sync());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status::FromErrno(err, "rename " + tmp + " to " + path);
  }
  return SyncDir(Parent(path));
}

Result<std::string> ReadWholeFile(const std::string& path) {
  RC_ASSIGN_OR_RETURN(File f, File::Open(path, O_RDONLY));
  RC_ASSIGN_OR_RETURN(uint64_t size, f.Size());
  std::string out(size, '\0');
  size_t got = 0;
  RC_RETURN_IF_ERROR(f.ReadAt(0, out.data(), out.size(), &got));
  out.resize(got);
  return out;
}

Status CreateDirs(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("empty directory path");
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::FailedPrecondition(dir + " exists and is not a directory");
  }
  const std::string parent = Parent(dir);
  if (parent != dir) RC_RETURN_IF_ERROR(CreateDirs(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + dir);
  }
  return SyncDir(parent);
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::NotFound("directory " + dir + " does not exist");
    return Status::FromErrno(errno, "opendir " + dir);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "remove " + path);
  }
  return Status::Ok();
}

}  // namespace rivven::embedded
