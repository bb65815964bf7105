#include "formats/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_set>

#include "base/json_escape.h"
#include "formats/json_reader.h"

namespace rivven::formats {
namespace {

constexpr size_t kMaxSignificantDigits = 15;  // a double round-trips any 15-digit decimal

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s, bool* integer) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  *integer = true;
  if (i < n && s[i] == '.') {
    *integer = false;
    ++i;
    const size_t start = i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    *integer = false;
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t start = i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == n;
}

bool FitsInt64(std::string_view s) {
  int64_t v;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A decimal becomes a number only when a double holds it as written: at most 15 significant
// digits and an exponent within range (1e999 and 1e-999 stay strings).
bool FitsDouble(std::string_view s) {
  size_t significant = 0;
  bool leading = true;
  for (char c : s) {
    if (c == 'e' || c == 'E') break;
    if (!IsDigit(c)) continue;
    if (leading && c == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > kMaxSignificantDigits) return false;
  double v;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool IsBoolean(std::string_view s, bool* value) {
  if (s == "true" || s == "TRUE" || s == "True") {
    *value = true;
    return true;
  }
  if (s == "false" || s == "FALSE" || s == "False") {
    *value = false;
    return true;
  }
  return false;
}

bool HasNonAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace

CsvRecordParser::Parsed CsvRecordParser::Parse(std::string_view data, bool at_eof) {
  Parsed p;
  if (data.empty()) return p;
  const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
  if (nl == nullptr && !at_eof) return p;  // a record ends only at a line break or EOF
  std::string_view line = nl ? data.substr(0, static_cast<size_t>(nl - data.data())) : data;
  if (std::memchr(line.data(), '"', line.size()) != nullptr) return ParseQuoted(data, at_eof);

  // Fast path (no quote on the line): fields are views into `data`.
  p.outcome = Outcome::kRecord;
  p.consumed = nl ? line.size() + 1 : line.size();
  p.newlines = nl ? 1 : 0;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  fields_.clear();
  quoted_.clear();
  size_t start = 0;
  while (true) {
    const void* d = std::memchr(line.data() + start, delimiter_, line.size() - start);
    if (d == nullptr) {
      fields_.push_back(line.substr(start));
      quoted_.push_back(false);
      break;
    }
    const size_t end = static_cast<size_t>(static_cast<const char*>(d) - line.data());
    fields_.push_back(line.substr(start, end - start));
    quoted_.push_back(false);
    start = end + 1;
  }
  return p;
}

CsvRecordParser::Parsed CsvRecordParser::ParseQuoted(std::string_view data, bool at_eof) {
  Parsed p;
  storage_.clear();
  spans_.clear();
  quoted_.clear();
  const char* d = data.data();
  const size_t n = data.size();
  size_t i = 0;
  size_t newlines = 0;
  // Bytes up to the next delimiter or line break; a CR that is not part of CRLF is data.
  auto scan_run = [&](size_t j) {
    while (true) {
      while (j < n && !Special(d[j])) ++j;
      if (j + 1 < n && d[j] == '\r' && d[j + 1] != '\n') {
        ++j;
        continue;
      }
      return j;
    }
  };

  while (true) {
    Span span{i, 0, false};
    bool quoted = false;
    if (i < n && d[i] == '"') {
      quoted = true;
      const size_t start = ++i;
      bool unescaped = false;  // the field's bytes are being copied to storage_
      while (true) {
        const char* q = static_cast<const char*>(std::memchr(d + i, '"', n - i));
        if (q == nullptr) {
          if (!at_eof) return p;  // kNeedMore
          p.outcome = Outcome::kUnterminatedQuote;
          p.consumed = n;
          p.newlines = static_cast<size_t>(std::count(d, d + n, '\n'));
          return p;
        }
        const size_t pos = static_cast<size_t>(q - d);
        if (pos + 1 == n && !at_eof) return p;  // "" or a closing quote: the next byte decides
        if (pos + 1 < n && d[pos + 1] == '"') {
          if (!unescaped) {
            span = Span{storage_.size(), 0, true};
            unescaped = true;
          }
          storage_.append(d + i, pos + 1 - i);  // up to and including one quote
          i = pos + 2;
          continue;
        }
        newlines += static_cast<size_t>(std::count(d + start, d + pos, '\n'));
        if (unescaped) {
          storage_.append(d + i, pos - i);
          span.size = storage_.size() - span.begin;
        } else {
          span = Span{start, pos - start, false};
        }
        i = pos + 1;
        break;
      }
      if ((i < n && !Special(d[i])) || (i + 1 < n && d[i] == '\r' && d[i + 1] != '\n')) {
        // Text after the closing quote belongs to the field (lenient, like Python's csv).
        if (!span.in_storage) {
          const size_t begin = storage_.size();
          storage_.append(d + span.begin, span.size);
          span = Span{begin, span.size, true};
        }
        const size_t j = scan_run(i);
        storage_.append(d + i, j - i);
        span.size = storage_.size() - span.begin;
        i = j;
      }
    } else {
      const size_t j = scan_run(i);
      span = Span{i, j - i, false};
      i = j;
    }

    // At a delimiter, a line break, or the end of the data.
    spans_.push_back(span);
    quoted_.push_back(quoted);
    if (i == n) {
      if (!at_eof) return p;
      break;
    }
    if (d[i] == delimiter_) {
      ++i;
      continue;
    }
    if (d[i] == '\n') {
      ++newlines;
      ++i;
      break;
    }
    // A CR: of CRLF, or the last byte of the data.
    if (i + 1 == n) {
      if (!at_eof) return p;
      i = n;  // a CR at the end of the file ends the record
      break;
    }
    ++newlines;
    i += 2;
    break;
  }
  p.outcome = Outcome::kRecord;
  p.consumed = i;
  p.newlines = newlines;
  fields_.clear();
  for (const Span& s : spans_) {
    fields_.emplace_back((s.in_storage ? storage_.data() : d) + s.begin, s.size);
  }
  return p;
}

void AppendCsvFieldAsJson(std::string& out, std::string_view field, bool quoted,
                          const CsvJsonOptions& options) {
  if (options.infer_types) {
    if (field.empty()) {
      if (quoted) {
        out += "\"\"";
      } else {
        out += "null";
      }
      return;
    }
    bool integer = false;
    if (IsJsonNumber(field, &integer) && (integer ? FitsInt64(field) : FitsDouble(field))) {
      out.append(field);
      return;
    }
    bool b = false;
    if (IsBoolean(field, &b)) {
      out += b ? "true" : "false";
      return;
    }
  }
  AppendJsonString(out, field);
}

Status CsvJsonEncoder::SetHeader(const CsvRecordParser& header) {
  columns_.clear();
  key_prefixes_.clear();
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view f = header.field(i);
    if (HasNonAscii(f) && !IsValidUtf8(f)) {
      return Status::InvalidArgument("header field " + std::to_string(i + 1) +
                                     " is not valid UTF-8");
    }
    std::string name = f.empty() ? "column_" + std::to_string(i + 1) : std::string(f);
    if (!seen.insert(name).second) {
      for (int k = 2;; ++k) {
        std::string candidate = name + "_" + std::to_string(k);
        if (seen.insert(candidate).second) {
          name = std::move(candidate);
          break;
        }
      }
    }
    columns_.push_back(name);
    std::string prefix;
    AppendJsonString(prefix, name);
    prefix.push_back(':');
    key_prefixes_.push_back(std::move(prefix));
  }
  has_header_ = true;
  return Status::Ok();
}

void CsvJsonEncoder::EnsureGenericColumns(size_t n) {
  while (columns_.size() < n) {
    columns_.push_back("column_" + std::to_string(columns_.size() + 1));
    key_prefixes_.push_back("\"" + columns_.back() + "\":");
  }
}

Status CsvJsonEncoder::Encode(const CsvRecordParser& record, std::string* out) {
  const size_t n = record.size();
  if (has_header_ && n > columns_.size()) {
    return Status::InvalidArgument(std::to_string(n) + " fields, but the header has " +
                                   std::to_string(columns_.size()));
  }
  if (!has_header_) EnsureGenericColumns(n);
  const size_t width = has_header_ ? columns_.size() : n;
  out->clear();
  out->push_back('{');
  for (size_t i = 0; i < width; ++i) {
    if (i > 0) out->push_back(',');
    out->append(key_prefixes_[i]);
    if (i >= n) {
      out->append("null");
      continue;
    }
    const std::string_view f = record.field(i);
    if (HasNonAscii(f) && !IsValidUtf8(f)) {
      return Status::InvalidArgument("field " + std::to_string(i + 1) + " (" + columns_[i] +
                                     ") is not valid UTF-8");
    }
    AppendCsvFieldAsJson(*out, f, record.quoted(i), options_);
  }
  out->push_back('}');
  return Status::Ok();
}

}  // namespace rivven::formats
