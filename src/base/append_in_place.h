#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace rivven {

/// Appends to `out` what `write(char* at)` writes at `at` (at most `max_bytes`) and returns the
/// end of: short pieces (numbers, dates, field names) go straight into the string's buffer
/// instead of through a temporary and a memcpy call, which dominates when a value is rendered
/// from dozens of them. The buffer grows geometrically as with append.
template <typename Write>
inline void AppendInPlace(std::string& out, size_t max_bytes, Write write) {
  const size_t at = out.size();
  out.resize_and_overwrite(at + max_bytes, [&](char* base, size_t) {
    return static_cast<size_t>(write(base + at) - base);
  });
}

/// Bytes that AppendPadded may copy from a PaddedString.
inline constexpr size_t kPaddedCopy = 32;

/// `text` in a string whose buffer holds at least kPaddedCopy bytes (zeros after the text), for
/// AppendPadded.
inline std::string PaddedString(std::string_view text) {
  std::string s(text);
  if (s.size() < kPaddedCopy) {
    s.resize(kPaddedCopy, '\0');
    s.resize(text.size());  // keeps the capacity and the zeros behind the end
  }
  return s;
}

/// Appends `s`; one made by PaddedString by one fixed-size copy (two vector moves).
inline void AppendPadded(std::string& out, const std::string& s) {
  const size_t n = s.size();
  if (n <= kPaddedCopy && s.capacity() >= kPaddedCopy) {
    AppendInPlace(out, kPaddedCopy, [&](char* p) {
      std::memcpy(p, s.data(), kPaddedCopy);
      return p + n;
    });
  } else {
    out.append(s);
  }
}

/// Appends a string literal by a fixed-size copy.
template <size_t N>
inline void AppendLiteral(std::string& out, const char (&literal)[N]) {
  AppendInPlace(out, N - 1, [&](char* p) {
    std::memcpy(p, literal, N - 1);
    return p + (N - 1);
  });
}

}  // namespace rivven
