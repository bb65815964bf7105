#include "base/json_escape.h"

#include <cstdint>
#include <cstring>

#include "base/append_in_place.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rivven {
namespace {

// Length of a valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<uint8_t>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

// Whether any of the 8 bytes of `w` is not plain ASCII that JSON takes as it is: a control
// byte (< 0x20), a byte >= 0x80, '"' or '\\'. Exact for "any", which is all the fast path needs.
inline bool WordNeedsCare(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  const uint64_t control = (w - kOnes * 0x20) & ~w & kHighs;
  const uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  const uint64_t is_quote = (quote - kOnes) & ~quote & kHighs;
  const uint64_t is_backslash = (backslash - kOnes) & ~backslash & kHighs;
  return ((w & kHighs) | control | is_quote | is_backslash) != 0;
}

// Copies the 16 bytes at `in` to `out` and returns how many of them, from the first, JSON takes
// as they are (plain ASCII other than '"' and '\\'); 16 when all do.
inline size_t CleanPrefix16(const char* in, char* out) {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  // A signed compare with 0x20 catches both control bytes and bytes >= 0x80.
  const __m128i low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  const unsigned mask = static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), low_or_high)));
  return mask == 0 ? 16 : static_cast<size_t>(__builtin_ctz(mask));
#else
  std::memcpy(out, in, 16);
  for (size_t k = 0; k < 16; k += 8) {
    uint64_t w;
    std::memcpy(&w, in + k, 8);
    if (!WordNeedsCare(w)) continue;
    while (true) {
      const auto d = static_cast<uint8_t>(in[k]);
      if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') return k;
      ++k;
    }
  }
  return 16;
#endif
}

// Writes the byte at s[i] as JSON string content at p (escaped, or a whole valid UTF-8 sequence,
// or U+FFFD for an invalid one): at most 6 bytes. Returns the new output end; advances i past
// what it consumed.
inline char* PutSpecial(char* p, std::string_view s, size_t& i) {
  static const char kHex[] = "0123456789abcdef";
  const auto c = static_cast<uint8_t>(s[i]);
  auto two = [&](char second) {
    p[0] = '\\';
    p[1] = second;
    ++i;
    return p + 2;
  };
  switch (c) {
    case '"': return two('"');
    case '\\': return two('\\');
    case '\n': return two('n');
    case '\r': return two('r');
    case '\t': return two('t');
    case '\b': return two('b');
    case '\f': return two('f');
    default: break;
  }
  if (c < 0x20) {
    std::memcpy(p, "\\u00", 4);
    p[4] = kHex[c >> 4];
    p[5] = kHex[c & 0xF];
    ++i;
    return p + 6;
  }
  if (c < 0x80) {  // plain ASCII: the last bytes (fewer than 16) come one by one
    *p = static_cast<char>(c);
    ++i;
    return p + 1;
  }
  const size_t n = Utf8SequenceLength(s, i);
  if (n == 0) {  // invalid UTF-8: U+FFFD
    std::memcpy(p, "\xEF\xBF\xBD", 3);
    ++i;
    return p + 3;
  }
  std::memcpy(p, s.data() + i, n);
  i += n;
  return p + n;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  // Written straight into out's buffer. Each round reserves room for what is left plus a
  // quarter for escapes; text with more escapes than that takes further rounds.
  while (i < s.size()) {
    const size_t left = s.size() - i;
    const size_t room = left + left / 4 + 32;
    AppendInPlace(out, room + 16, [&](char* const begin) {
      char* p = begin;
      char* const stop = begin + room - 6;  // an escape writes at most 6 bytes
      while (i < s.size() && p <= stop) {
        if (i + 16 <= s.size()) {
          // 16 bytes stored at once (the room has 16 spare bytes), kept up to the first
          // byte that needs care.
          const size_t clean = CleanPrefix16(s.data() + i, p);
          p += clean;
          i += clean;
          if (clean == 16) continue;
        }
        p = PutSpecial(p, s, i);
      }
      return p;
    });
  }
  out.push_back('"');
}

}  // namespace rivven
