#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/file/file_source_config.h"

namespace rivven::file {

/// True for a directory entry the source reads: not hidden (".name", which also covers
/// editors' and tools' in-progress files), not `*.tmp`, and matching the `include` glob.
bool IsCandidateName(std::string_view name, const std::string& include);

/// One regular file found at the configured path.
struct ListedFile {
  std::string path;
  struct stat st;
};

/// What the configured path holds right now.
struct Listing {
  bool exists = false;
  bool is_dir = false;
  std::vector<ListedFile> files;  ///< sorted by path (name order inside a directory)
};

/// Lists the file at `config.path`, or the candidate regular files of the directory there
/// (symbolic links are followed; subdirectories are not entered). A missing path is an empty
/// listing with exists = false; anything else unreadable is an error.
Result<Listing> ListFiles(const FileSourceConfig& config);

/// The directory to watch for `path` (itself when a directory, else its parent) and, for a
/// file, its name.
void WatchTarget(const std::string& path, bool is_dir, std::string* dir, std::string* name);

}  // namespace rivven::file
