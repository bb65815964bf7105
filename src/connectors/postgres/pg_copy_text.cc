// COPY's text format ("File Formats" in the COPY chapter of the PostgreSQL 15 manual): one
// row per line, columns separated by tabs, NULL written as \N, and backslash escapes for the
// bytes that would break the framing. Decoding follows the server's CopyReadAttributesText.

#include "connectors/postgres/pg_value.h"

#include <cstring>

namespace rivven::postgres {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the raw field at the start of `line`: up to the first tab that is not escaped.
// A backslash takes the next character with it, so "\<tab>" is data, as the server reads it.
size_t RawFieldLength(std::string_view line) {
  // Fast path: the next tab, when no backslash comes before it (memchr is vectorized).
  const void* tab = std::memchr(line.data(), '\t', line.size());
  const size_t until = tab ? static_cast<const char*>(tab) - line.data() : line.size();
  if (std::memchr(line.data(), '\\', until) == nullptr) return until;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '\t') break;
    i += c == '\\' ? 2 : 1;
  }
  return i < line.size() ? i : line.size();
}

// Decodes `field` (not the null marker) into `out`, which is cleared first.
void Unescape(std::string_view field, std::string& out) {
  out.clear();
  size_t i = 0;
  while (i < field.size()) {
    const void* hit = std::memchr(field.data() + i, '\\', field.size() - i);
    const size_t backslash =
        hit == nullptr ? field.size() : static_cast<const char*>(hit) - field.data();
    out.append(field.data() + i, backslash - i);
    i = backslash;
    if (i == field.size()) break;
    ++i;
    // The server drops a backslash that ends the line.
    if (i == field.size()) break;
    char c = field[i++];
    switch (c) {
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      case 'v':
        c = '\v';
        break;
      case 'x': {
        // \xh or \xhh; a lone 'x' stands for itself.
        int value = i < field.size() ? HexDigit(field[i]) : -1;
        if (value >= 0) {
          ++i;
          const int low = i < field.size() ? HexDigit(field[i]) : -1;
          if (low >= 0) {
            value = value << 4 | low;
            ++i;
          }
          c = static_cast<char>(value);
        }
        break;
      }
      default:
        if (IsOctal(c)) {
          // \N, \NN or \NNN in octal.
          int value = c - '0';
          for (int k = 0; k < 2 && i < field.size() && IsOctal(field[i]); ++k) {
            value = value << 3 | (field[i++] - '0');
          }
          c = static_cast<char>(value & 0xff);
        }
        // Any other escaped character stands for itself (\\ among them).
        break;
    }
    out.push_back(c);
  }
}

std::string_view WithoutLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

bool UnescapeCopyText(std::string_view field, std::string& out) {
  if (field == "\\N") {
    out.clear();
    return false;
  }
  Unescape(field, out);
  return true;
}

void SplitCopyRow(std::string_view line, std::vector<std::optional<std::string>>& fields) {
  line = WithoutLineEnd(line);
  size_t count = 0;
  for (;;) {
    const size_t length = RawFieldLength(line);
    const std::string_view raw = line.substr(0, length);
    if (count == fields.size()) fields.emplace_back();
    std::optional<std::string>& field = fields[count++];
    if (raw == "\\N") {
      field.reset();
    } else {
      if (!field.has_value()) field.emplace();
      Unescape(raw, *field);
    }
    if (length == line.size()) break;
    line.remove_prefix(length + 1);
  }
  fields.resize(count);
}

void SplitCopyRow(std::string_view line, std::string& storage, std::vector<CopyField>& fields) {
  line = WithoutLineEnd(line);
  // The line is copied once; fields without escapes are spans of that copy, and the few that
  // need decoding are appended after it.
  storage.assign(line);
  fields.clear();
  std::string unescaped;
  size_t at = 0;
  for (;;) {
    const std::string_view rest = line.substr(at);
    const size_t length = RawFieldLength(rest);
    const std::string_view raw = rest.substr(0, length);
    CopyField field;
    if (raw == "\\N") {
      field.null = true;
      field.offset = static_cast<uint32_t>(at);
    } else if (std::memchr(raw.data(), '\\', raw.size()) == nullptr) {
      field.offset = static_cast<uint32_t>(at);
      field.length = static_cast<uint32_t>(length);
    } else {
      Unescape(raw, unescaped);
      field.offset = static_cast<uint32_t>(storage.size());
      field.length = static_cast<uint32_t>(unescaped.size());
      storage.append(unescaped);
    }
    fields.push_back(field);
    if (length == rest.size()) break;
    at += length + 1;
  }
}

std::vector<std::optional<std::string>> SplitCopyRow(std::string_view line) {
  std::vector<std::optional<std::string>> fields;
  SplitCopyRow(line, fields);
  return fields;
}

}  // namespace rivven::postgres
