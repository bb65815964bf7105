#pragma once

#include <string>
#include <vector>

#include "config/node.h"

namespace rivven::config {

/// One configuration problem: where (file, dotted YAML path, line:column) and what.
struct Diagnostic {
  std::string path;     ///< dotted path, e.g. "sources.demo.config.events_per_second"
  Mark mark;
  std::string message;  ///< never contains a secret value
};

/// Collects every configuration problem of one load so all are reported in one run.
/// Not thread-safe; owned by the caller of the load/bind.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file = {}) : file_(std::move(file)) {}
  void Add(std::string path, Mark mark, std::string message);
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }
  /// "FILE:LINE:COL: PATH: MESSAGE" per line, in file order.
  std::string Format() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

/// The closest candidate by edit distance, or empty when none is close enough to suggest.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace rivven::config
