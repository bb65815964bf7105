#include "connectors/airbyte/airbyte_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

extern char** environ;

namespace rivven::airbyte {
namespace {

constexpr size_t kLastStderrLines = 20;
constexpr size_t kMaxStderrLine = 64 * 1024;

/// Reads what a non-blocking fd has; false at EOF.
Result<bool> Drain(int fd, std::string* out) {
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof(buf)) return true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return Status::FromErrno(errno, "reading from the Airbyte source");
  }
}

}  // namespace

std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

Result<std::unique_ptr<SecretDir>> SecretDir::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rivven-airbyte.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::FromErrno(errno, "creating a private directory for the Airbyte files");
  }
  ::chmod(pattern.c_str(), 0700);
  return std::unique_ptr<SecretDir>(new SecretDir(pattern));
}

SecretDir::~SecretDir() {
  for (const auto& f : files_) ::unlink(f.c_str());
  ::rmdir(path_.c_str());
}

Result<std::string> SecretDir::Write(const std::string& name, std::string_view content) {
  const std::string file = path_ + "/" + name;
  ::unlink(file.c_str());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::FromErrno(errno, "creating " + file);
  bool known = false;
  for (const auto& f : files_) known = known || f == file;
  if (!known) files_.push_back(file);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "writing " + file);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::FromErrno(errno, "writing " + file);
  return file;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv,
                                                          LineSink on_stderr) {
  RC_ASSERT(!argv.empty());
  const std::string exe = FindExecutable(argv[0]);
  if (exe.empty()) {
    return Status::NotFound("'" + argv[0] + "' is not an executable" +
                            (argv[0].find('/') == std::string::npos ? " on PATH" : ""));
  }
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno(errno, "creating a pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    return Status::FromErrno(e, "creating a pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (so Kill reaches its children too), an empty signal mask and default
  // handlers: our threads may block SIGTERM, and the child must not inherit that.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return Status::FromErrno(rc, "starting " + exe);
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->out_fd_ = out[0];
  child->err_fd_ = err[0];
  child->on_stderr_ = std::move(on_stderr);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  return child;
}

ChildProcess::~ChildProcess() {
  Kill();
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void ChildProcess::StderrBytes(std::string_view bytes, bool at_end) {
  auto emit = [this](std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (on_stderr_) on_stderr_(line);
    last_err_.push_back(std::move(line));
    if (last_err_.size() > kLastStderrLines) last_err_.pop_front();
  };
  err_buf_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = err_buf_.find('\n', start)) != std::string::npos; start = nl + 1) {
    emit(err_buf_.substr(start, nl - start));
  }
  err_buf_.erase(0, start);
  if (err_buf_.size() >= kMaxStderrLine || (at_end && !err_buf_.empty())) {
    emit(std::move(err_buf_));
    err_buf_.clear();
  }
}

Status ChildProcess::Pump(std::chrono::milliseconds wait) {
  pollfd fds[2];
  nfds_t n = 0;
  if (out_fd_ >= 0) fds[n++] = pollfd{out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[n++] = pollfd{err_fd_, POLLIN, 0};
  if (n == 0) return Status::Ok();
  const int rc = ::poll(fds, n, static_cast<int>(std::max<int64_t>(0, wait.count())));
  if (rc < 0 && errno != EINTR) return Status::FromErrno(errno, "waiting for the Airbyte source");
  if (rc <= 0) return Status::Ok();
  for (nfds_t i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == out_fd_) {
      RC_ASSIGN_OR_RETURN(bool open, Drain(out_fd_, &out_buf_));
      if (!open) {
        ::close(out_fd_);
        out_fd_ = -1;
      }
    } else {
      std::string bytes;
      RC_ASSIGN_OR_RETURN(bool open, Drain(err_fd_, &bytes));
      StderrBytes(bytes, !open);
      if (!open) {
        ::close(err_fd_);
        err_fd_ = -1;
      }
    }
  }
  return Status::Ok();
}

Result<ChildProcess::Read> ChildProcess::ReadLine(std::string* line,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  std::stop_token stop) {
  bool pumped = false;
  while (true) {
    const size_t nl = out_buf_.find('\n', out_scanned_);
    if (nl != std::string::npos) {
      line->assign(out_buf_, 0, nl);
      out_buf_.erase(0, nl + 1);
      out_scanned_ = 0;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return Read::kLine;
    }
    out_scanned_ = out_buf_.size();
    if (out_buf_.size() > max_line_bytes_) {
      return Status::FailedPrecondition(
          "the Airbyte source wrote a line longer than " + std::to_string(max_line_bytes_) +
          " bytes to stdout (each Airbyte message is one line; this one starts: " +
          out_buf_.substr(0, 64) + ")");
    }
    if (out_fd_ < 0) {
      if (out_buf_.empty()) return Read::kEnd;
      line->swap(out_buf_);  // a last line without its newline
      out_buf_.clear();
      out_scanned_ = 0;
      return Read::kLine;
    }
    // At least one look at the pipes, even with a deadline already past.
    const auto now = std::chrono::steady_clock::now();
    if ((now >= deadline && pumped) || stop.stop_requested()) return Read::kTimeout;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        std::max(deadline - now, std::chrono::steady_clock::duration::zero()));
    RC_RETURN_IF_ERROR(Pump(std::min(left, std::chrono::milliseconds(50))));
    pumped = true;
  }
}

Result<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    // Keep reading stderr (and discarding stdout) so the child never blocks on a full pipe.
    if (out_fd_ >= 0 || err_fd_ >= 0) {
      RC_RETURN_IF_ERROR(Pump(std::chrono::milliseconds(20)));
      out_buf_.clear();
      out_scanned_ = 0;
    }
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      break;
    }
    if (r < 0 && errno != EINTR) return Status::FromErrno(errno, "waiting for the Airbyte source");
    if (std::chrono::steady_clock::now() >= deadline) {
      Kill();
      return Status::Timeout("the Airbyte source did not exit within " +
                             std::to_string(timeout.count() / 1000) + " s");
    }
    if (out_fd_ < 0 && err_fd_ < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // What is left on stderr after the exit (a grandchild may still hold it: bounded).
  for (int i = 0; i < 10 && err_fd_ >= 0; ++i)
    RC_RETURN_IF_ERROR(Pump(std::chrono::milliseconds(10)));
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

void ChildProcess::Kill(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || reaped_) return;
  ::kill(-pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid_, SIGKILL);
      while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pid_, SIGKILL);  // whatever of its group is left
  reaped_ = true;
}

std::string ChildProcess::LastStderr() const {
  std::string out;
  for (const auto& l : last_err_) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace rivven::airbyte
