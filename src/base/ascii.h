#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace rivven {

/// `s` with ASCII letters lower-cased (other bytes as they are): for case-insensitive names such
/// as HTTP headers and protocol keywords.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// `s` with ASCII letters upper-cased (other bytes as they are): SQL identifiers.
inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace rivven
