#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace rivven::file {

/// Sleeps until a watched directory changes, a deadline passes, or a stop is requested, without
/// spinning: one poll(2) on an inotify descriptor and an eventfd that a std::stop_callback
/// signals. Where inotify is unavailable (descriptor limit, some network file systems) Wait
/// still sleeps until the deadline or the stop, and the caller's periodic scan finds changes.
///
/// Owns its descriptors. Used by the one thread that drives the file source; the stop
/// callback may fire from any thread (it only writes the eventfd).
class FileWatcher {
 public:
  /// What woke Wait.
  struct Wake {
    bool modified = false;  ///< a relevant file was written
    bool listing = false;   ///< relevant files appeared, moved or vanished: list the directory
  };
  /// Whether an event about file `name` in the watched directory matters.
  using Filter = std::function<bool(std::string_view name)>;

  FileWatcher();
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  /// Watches directory `dir` (replacing an earlier watch). False when inotify cannot watch it
  /// (Wait then only sleeps); the caller may try again later (e.g. once the directory exists).
  bool Watch(const std::string& dir);
  bool watching() const { return wd_ >= 0; }

  /// Blocks until a relevant event, `deadline`, or `stop`. Events about names `filter` rejects
  /// are drained and ignored.
  Wake Wait(SteadyClock::time_point deadline, std::stop_token stop, const Filter& filter);

 private:
  Wake Drain(const Filter& filter);

  int inotify_fd_ = -1;
  int wd_ = -1;
  int event_fd_ = -1;
};

}  // namespace rivven::file
