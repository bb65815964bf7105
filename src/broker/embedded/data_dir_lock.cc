#include "broker/embedded/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace rivven::embedded {

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& data_dir) {
  RC_ASSIGN_OR_RETURN(File f, File::Open(data_dir + "/.lock", O_RDWR | O_CREAT));
  if (::flock(f.fd(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Status::FromErrno(errno, "locking " + f.path());
    // The holder writes its pid right after locking; give it a moment if we raced with that.
    std::string pid;
    for (int attempt = 0; attempt < 20; ++attempt) {
      char buf[32] = {};
      size_t got = 0;
      if (f.ReadAt(0, buf, sizeof buf - 1, &got).ok()) {
        pid.assign(buf, got);
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      }
      if (!pid.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Status::FailedPrecondition("data dir " + data_dir + " is in use by process " +
                                      (pid.empty() ? std::string("(unknown pid)") : pid) +
                                      "; stop it or use another --data-dir");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  RC_RETURN_IF_ERROR(f.Truncate(0));
  RC_RETURN_IF_ERROR(f.WriteAt(0, pid.data(), pid.size()));
  return std::unique_ptr<DataDirLock>(new DataDirLock(std::move(f)));
}

DataDirLock::~DataDirLock() {
  // Leave the file (removing it would race with a process about to lock it); empty the pid.
  (void)file_.Truncate(0);
  ::flock(file_.fd(), LOCK_UN);
}

}  // namespace rivven::embedded
