#include "runtime/state_dir.h"

#include <filesystem>

namespace rivven {

Result<std::string> ConnectorStateDir(const std::string& data_dir, const std::string& name) {
  if (data_dir.empty()) return std::string();
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return Status::InvalidArgument("connector name '" + name +
                                   "' cannot name a directory under " + data_dir + "/connectors");
  }
  std::string dir = data_dir + "/connectors/" + name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("creating " + dir + ": " + ec.message());
  return dir;
}

}  // namespace rivven
