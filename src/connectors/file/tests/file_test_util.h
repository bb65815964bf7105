#pragma once

// Fixtures shared by the file connector's tests: temp directories, file writes and reads,
// consumed records.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "record/record.h"

namespace rivven::file::testing {

/// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rivven-file-testXXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

inline void AppendFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::app) << content;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A record as a sink receives it.
inline ConsumedRecord Rec(std::string topic, std::optional<std::string> value, int64_t offset = 0) {
  ConsumedRecord r;
  r.topic = std::move(topic);
  r.offset = Offset(offset);
  r.record.value = std::move(value);
  return r;
}

}  // namespace rivven::file::testing
