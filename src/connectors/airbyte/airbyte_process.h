#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::airbyte {

/// A private directory (0700, under $TMPDIR or /tmp) for the files an Airbyte command reads:
/// config (secrets), catalog and state, each written 0600. The destructor removes the files
/// and the directory, on success and failure alike. Owned by whoever runs the commands.
class SecretDir {
 public:
  static Result<std::unique_ptr<SecretDir>> Create();
  ~SecretDir();
  SecretDir(const SecretDir&) = delete;
  SecretDir& operator=(const SecretDir&) = delete;

  /// Writes (or replaces) `name` with `content`, readable only by us; returns its path.
  Result<std::string> Write(const std::string& name, std::string_view content);
  const std::string& path() const { return path_; }

 private:
  explicit SecretDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::vector<std::string> files_;
};

/// A child process (an Airbyte source, or `docker run` of one) with stdin from /dev/null and
/// its stdout and stderr piped to us. It runs in its own process group; the destructor ends a
/// child still running (SIGTERM to the group, SIGKILL after a grace period) and reaps it.
/// Used from one thread at a time.
class ChildProcess {
 public:
  /// Called with each stderr line as it arrives.
  using LineSink = std::function<void(std::string_view line)>;

  /// Starts argv[0] (searched on $PATH when it has no '/'). NotFound when there is no such
  /// executable.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                     LineSink on_stderr);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  enum class Read { kLine, kTimeout, kEnd };
  /// The next stdout line (without its newline) into `line`; kEnd once stdout is closed;
  /// kTimeout at `deadline` or when `stop` is requested. Reads stderr on the way.
  Result<Read> ReadLine(std::string* line, std::chrono::steady_clock::time_point deadline,
                        std::stop_token stop = {});
  /// After kEnd: waits (up to `timeout`, then kills) for the exit; returns the exit code, or
  /// 128 + the signal that ended it. Drains the rest of stderr.
  Result<int> Wait(std::chrono::milliseconds timeout);
  /// Ends the child now (SIGTERM, then SIGKILL after `grace`) and reaps it.
  void Kill(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  /// The last stderr lines (at most 20), for error messages.
  std::string LastStderr() const;
  /// The longest stdout line ReadLine accepts (default 64 MiB: an Airbyte message is one line);
  /// past it ReadLine fails instead of buffering on.
  void SetMaxLineBytes(size_t bytes) { max_line_bytes_ = bytes; }

 private:
  ChildProcess() = default;
  /// One poll() round over the open pipes, waiting up to `wait`; reads what is there.
  Status Pump(std::chrono::milliseconds wait);
  void StderrBytes(std::string_view bytes, bool at_end);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buf_;
  size_t out_scanned_ = 0;  ///< leading bytes of out_buf_ known to hold no newline
  size_t max_line_bytes_ = size_t{64} << 20;
  std::string err_buf_;
  std::deque<std::string> last_err_;
  LineSink on_stderr_;
};

/// The absolute path of `name` on $PATH; "" when there is none.
std::string FindExecutable(const std::string& name);

}  // namespace rivven::airbyte
