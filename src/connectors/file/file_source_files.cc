#include "connectors/file/file_source_files.h"

#include <dirent.h>
#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace rivven::file {

bool IsCandidateName(std::string_view name, const std::string& include) {
  if (name.empty() || name.front() == '.') return false;
  if (name.size() >= 4 && name.substr(name.size() - 4) == ".tmp") return false;
  const std::string n(name);
  return ::fnmatch(include.c_str(), n.c_str(), 0) == 0;
}

Result<Listing> ListFiles(const FileSourceConfig& config) {
  Listing listing;
  struct stat st;
  if (::stat(config.path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return listing;
    return Status::FromErrno(errno, config.path);
  }
  listing.exists = true;
  if (S_ISREG(st.st_mode)) {
    listing.files.push_back(ListedFile{config.path, st});
    return listing;
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(config.path + ": not a regular file or a directory");
  }
  listing.is_dir = true;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(config.path.c_str()), &::closedir);
  if (!dir) return Status::FromErrno(errno, "listing " + config.path);
  const std::string prefix = config.path.back() == '/' ? config.path : config.path + "/";
  while (true) {
    errno = 0;
    const dirent* e = ::readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) return Status::FromErrno(errno, "listing " + config.path);
      break;
    }
    if (e->d_type == DT_DIR || !IsCandidateName(e->d_name, config.include)) continue;
    ListedFile f;
    f.path = prefix + e->d_name;
    if (::stat(f.path.c_str(), &f.st) != 0) continue;  // vanished since readdir, or a dangling link
    if (!S_ISREG(f.st.st_mode)) continue;
    listing.files.push_back(std::move(f));
  }
  std::sort(listing.files.begin(), listing.files.end(),
            [](const ListedFile& a, const ListedFile& b) { return a.path < b.path; });
  return listing;
}

void WatchTarget(const std::string& path, bool is_dir, std::string* dir, std::string* name) {
  if (is_dir) {
    *dir = path;
    name->clear();
    return;
  }
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *name = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *name = path.substr(slash + 1);
  }
}

}  // namespace rivven::file
