#include "connectors/file/file_source_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace rivven::file {
namespace {

constexpr uint32_t kListingEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB;
constexpr uint32_t kModifyEvents = IN_MODIFY | IN_CLOSE_WRITE;

}  // namespace

FileWatcher::FileWatcher() {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

FileWatcher::~FileWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (event_fd_ >= 0) ::close(event_fd_);
}

bool FileWatcher::Watch(const std::string& dir) {
  if (inotify_fd_ < 0) return false;
  if (wd_ >= 0) {
    (void)::inotify_rm_watch(inotify_fd_, wd_);
    wd_ = -1;
  }
  wd_ = ::inotify_add_watch(
      inotify_fd_, dir.c_str(),
      kListingEvents | kModifyEvents | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
  return wd_ >= 0;
}

FileWatcher::Wake FileWatcher::Drain(const Filter& filter) {
  Wake wake;
  alignas(inotify_event) char buf[16384];
  while (inotify_fd_ >= 0) {
    const ssize_t n = ::read(inotify_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t i = 0; i < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + i);
      i += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & IN_Q_OVERFLOW) {
        wake.listing = true;  // events were lost: list the directory again
        continue;
      }
      if (e->wd != wd_) continue;  // left over from a watch replaced by Watch()
      if (e->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        // The directory itself went away: list again (and watch again once it is back).
        wake.listing = true;
        if (e->mask & IN_MOVE_SELF) (void)::inotify_rm_watch(inotify_fd_, wd_);
        wd_ = -1;
        continue;
      }
      const std::string_view name = e->len > 0 ? std::string_view(e->name) : std::string_view();
      if (!filter(name)) continue;
      if (e->mask & kListingEvents) wake.listing = true;
      if (e->mask & kModifyEvents) wake.modified = true;
    }
  }
  return wake;
}

FileWatcher::Wake FileWatcher::Wait(SteadyClock::time_point deadline, std::stop_token stop,
                                    const Filter& filter) {
  std::stop_callback on_stop(stop, [this] {
    if (event_fd_ >= 0) {
      const uint64_t one = 1;
      (void)!::write(event_fd_, &one, sizeof(one));
    }
  });
  while (!stop.stop_requested()) {
    const auto now = SteadyClock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    const int timeout = static_cast<int>(std::min<int64_t>(left, 60'000));
    pollfd fds[2] = {{event_fd_, POLLIN, 0}, {wd_ >= 0 ? inotify_fd_ : -1, POLLIN, 0}};
    const int r = ::poll(fds, 2, timeout);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (fds[1].revents & POLLIN)) {
      const Wake wake = Drain(filter);
      if (wake.modified || wake.listing) return wake;
    }
  }
  if (event_fd_ >= 0) {
    uint64_t drained;
    (void)!::read(event_fd_, &drained, sizeof(drained));
  }
  return {};
}

}  // namespace rivven::file
