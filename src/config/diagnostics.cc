#include "config/diagnostics.h"

#include <algorithm>
#include <cctype>
#include <numeric>

#include "base/ascii.h"

namespace rivven::config {
namespace {

/// Appends `text` with line breaks and other control bytes written as escapes (\n, \r, \t,
/// \xNN): a key or value from the file may hold them, and no file content may split a problem
/// or forge another. With `indented_lines`, a line break followed by a space stays a line break:
/// messages show an expression with a caret under it on indented lines of their own, and an
/// indented line can never pass for a "FILE:LINE:COL: error:" one.
void AppendOneLine(std::string& out, std::string_view text, bool indented_lines = false) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      const bool continues = indented_lines && i + 1 < text.size() && text[i + 1] == ' ';
      out += continues ? "\n" : "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
}

}  // namespace

void Diagnostics::Add(std::string path, Mark mark, std::string message) {
  items_.push_back(Diagnostic{std::move(path), mark, std::move(message)});
}

std::string Diagnostics::Format() const {
  std::vector<const Diagnostic*> sorted;
  sorted.reserve(items_.size());
  for (const Diagnostic& d : items_) sorted.push_back(&d);
  // Stable: problems at the same position keep the order in which they were found.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->mark.line != b->mark.line) return a->mark.line < b->mark.line;
    return a->mark.column < b->mark.column;
  });
  const std::string file = file_.empty() ? std::string("<config>") : file_;
  std::string out;
  for (const Diagnostic* d : sorted) {
    out += file;
    if (d->mark.line > 0) {
      out += ':' + std::to_string(d->mark.line) + ':' + std::to_string(d->mark.column);
    }
    out += ": error: ";
    if (!d->path.empty()) {
      AppendOneLine(out, d->path);
      out += ": ";
    }
    AppendOneLine(out, d->message, /*indented_lines=*/true);
    out += '\n';
  }
  return out;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  std::string out(parent);
  out += '[' + std::to_string(index) + ']';
  return out;
}

namespace {


// Optimal-string-alignment distance: insert, delete, substitute, swap two adjacent characters.
size_t EditDistance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string lower_word = AsciiLower(word);
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  const std::string* best = nullptr;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    if (candidate == word) continue;
    const size_t distance = EditDistance(lower_word, AsciiLower(candidate));
    if (distance < best_distance || (distance == best_distance && best && candidate < *best)) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best ? *best : std::string();
}

}  // namespace rivven::config
