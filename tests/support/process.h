#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace rivven::testing {

/// Result of running a child process to completion.
struct ProcessResult {
  int exit_code = -1;     ///< -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  ///< added to (or overriding) the parent's environment
  std::string stdin_data;
  std::string cwd;
  std::chrono::milliseconds timeout{120000};  ///< the child is SIGKILLed after this
  long file_size_limit_bytes = -1;            ///< RLIMIT_FSIZE for the child (-1: unchanged)
};

/// Runs `argv` and waits for it (bounded by options.timeout), capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// A child left running in the background (stdout/stderr to files), for kill/restart tests.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const ProcessOptions& options,
                    const std::string& stdout_path, const std::string& stderr_path);
  ~BackgroundProcess();
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  /// Waits up to `timeout`; returns the ProcessResult (out/err are not filled).
  ProcessResult Wait(std::chrono::milliseconds timeout);
  bool Running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  ProcessResult result_;
};

/// The absolute path of an executable found on $PATH (RunProcess does not search it); "" when
/// there is none.
std::string FindOnPath(const std::string& name);

/// The built rivven-connect binary (from $RIVVEN_BINARY) and the source tree ($RIVVEN_SOURCE_DIR).
std::string BinaryPath();
std::string SourceDir();

/// A fresh directory under /tmp removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Runs `scripts/testenv/<script>` with `args` under bash, bounded by `timeout`.
ProcessResult RunTestenvScript(const std::string& script, const std::vector<std::string>& args,
                               std::chrono::milliseconds timeout);
/// "exit code N" / "timed out", then stderr and stdout: for failure messages.
std::string DescribeResult(const ProcessResult& r);
/// A loopback port nobody listens on right now (the kernel's pick for port 0); 0 on failure.
int UnusedLoopbackPort();
/// A new directory /tmp/<prefix>.XXXXXX that the caller owns; "" on failure.
std::string MakeTempDir(const std::string& prefix);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace rivven::testing
