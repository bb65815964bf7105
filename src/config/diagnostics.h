#pragma once

#include <cstddef>
#include <string>
#include <string_view>
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
  /// "FILE:LINE:COL: error: PATH: MESSAGE" per line, sorted by position. A problem without a
  /// position (an unreadable file) prints as "FILE: error: MESSAGE". Line breaks and other
  /// control bytes in PATH and MESSAGE (from keys and values of the file) print as \n, \xNN,
  /// except a line break in MESSAGE that starts an indented line (an expression shown with a
  /// caret under it): every line that is not a problem's first starts with a space.
  std::string Format() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

/// "parent.key", or "key" at the top level: how every diagnostic names a map entry.
std::string JoinPath(std::string_view parent, std::string_view key);
/// "parent[index]": how every diagnostic names a sequence item (0-based).
std::string IndexPath(std::string_view parent, size_t index);

/// The closest candidate by edit distance, or empty when none is close enough to suggest.
/// Case-insensitive Damerau-Levenshtein (adjacent swaps cost 1); a candidate is close enough when
/// its distance is at most max(1, word.size() / 3). Ties go to the alphabetically first one.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace rivven::config
