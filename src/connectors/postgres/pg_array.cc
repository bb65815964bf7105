// Array literals as array_out prints them: "{1,2,NULL}", "{{1,2},{3,4}}", "[0:1]={7,8}".
// Elements are quoted when they are empty, equal NULL, or hold the delimiter, braces, quotes,
// backslashes or white space; inside quotes a backslash takes the next character as it is.

#include "connectors/postgres/pg_value.h"

#include <string>

namespace rivven::postgres {
namespace {

// PostgreSQL allows 6 dimensions (MAXDIM); a little slack, and no deep recursion on garbage.
constexpr int kMaxDepth = 8;

class ArrayParser {
 public:
  ArrayParser(std::string_view text, uint32_t element_oid, char delimiter,
              const TypeCatalog& catalog, const ValueOptions& options)
      : text_(text),
        element_oid_(element_oid),
        delimiter_(delimiter),
        catalog_(catalog),
        options_(options) {}

  bool Parse(std::string& out) {
    if (!SkipDimensions()) return false;
    return ParseLevel(out, 0) && pos_ == text_.size();
  }

 private:
  // "[1:3][0:1]=" before the braces when a lower bound is not 1.
  bool SkipDimensions() {
    if (pos_ < text_.size() && text_[pos_] == '[') {
      const size_t eq = text_.find('=', pos_);
      if (eq == std::string_view::npos) return false;
      pos_ = eq + 1;
    }
    return true;
  }

  // At '{': one level, written as a JSON array.
  bool ParseLevel(std::string& out, int depth) {
    if (depth == kMaxDepth || pos_ >= text_.size() || text_[pos_] != '{') return false;
    ++pos_;
    out.push_back('[');
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out.push_back(']');
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first) out.push_back(',');
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == '{') {
        if (!ParseLevel(out, depth + 1)) return false;
      } else if (!ParseElement(out)) {
        return false;
      }
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_++];
      if (c == '}') break;
      if (c != delimiter_) return false;
    }
    out.push_back(']');
    return true;
  }

  bool ParseElement(std::string& out) {
    if (text_[pos_] == '"') return ParseQuoted(out);
    const size_t start = pos_;
    bool escaped = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == delimiter_ || c == '}') break;
      if (c == '{' || c == '"') return false;
      if (c == '\\') {
        escaped = true;
        ++pos_;
      }
      ++pos_;
    }
    if (pos_ > text_.size()) return false;
    const std::string_view raw = text_.substr(start, pos_ - start);
    if (raw.empty()) return false;
    if (!escaped && raw.size() == 4 && (raw[0] | 0x20) == 'n' && (raw[1] | 0x20) == 'u' &&
        (raw[2] | 0x20) == 'l' && (raw[3] | 0x20) == 'l') {
      out += "null";
      return true;
    }
    Emit(out, raw, escaped);
    return true;
  }

  bool ParseQuoted(std::string& out) {
    const size_t start = ++pos_;
    bool escaped = false;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        escaped = true;
        ++pos_;
      }
      ++pos_;
    }
    if (pos_ >= text_.size()) return false;
    const std::string_view raw = text_.substr(start, pos_ - start);
    ++pos_;  // the closing quote
    Emit(out, raw, escaped);
    return true;
  }

  // `raw` is the element between its quotes, if any; a backslash in it is always followed by
  // the character it escapes.
  void Emit(std::string& out, std::string_view raw, bool escaped) {
    if (!escaped) {
      AppendValueJson(out, raw, element_oid_, catalog_, options_);
      return;
    }
    scratch_.clear();
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\') ++i;
      scratch_.push_back(raw[i]);
    }
    AppendValueJson(out, scratch_, element_oid_, catalog_, options_);
  }

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t element_oid_;
  char delimiter_;
  const TypeCatalog& catalog_;
  const ValueOptions& options_;
  // Elements with backslash escapes, decoded; allocated only when one occurs.
  std::string scratch_;
};

}  // namespace

bool AppendArrayJson(std::string& out, std::string_view text, uint32_t element_oid,
                     const TypeCatalog& catalog, const ValueOptions& options) {
  const TypeInfo* element = catalog.Find(element_oid);
  const char delimiter = element != nullptr ? element->delimiter : ',';
  const size_t start = out.size();
  ArrayParser parser(text, element_oid, delimiter, catalog, options);
  if (parser.Parse(out)) return true;
  out.resize(start);
  return false;
}

}  // namespace rivven::postgres
