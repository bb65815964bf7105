#include "connectors/mysql/mysql_charset.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/json_escape.h"

namespace rivven::mysql {
namespace {

using charset_tables::kCharsets;
using charset_tables::kCharsetCount;
using charset_tables::kCollationCount;
using charset_tables::kCollations;

const Charset* Find(std::string_view name) {
  for (size_t i = 0; i < kCharsetCount; ++i) {
    if (name == kCharsets[i].name) return &kCharsets[i];
  }
  return nullptr;
}

/// Appends one code point inside a JSON string, escaped as AppendJsonString escapes.
inline void AppendCodePoint(std::string& out, uint32_t cp) {
  static const char kHex[] = "0123456789abcdef";
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    switch (c) {
      case '"': out += "\\\""; return;
      case '\\': out += "\\\\"; return;
      case '\n': out += "\\n"; return;
      case '\r': out += "\\r"; return;
      case '\t': out += "\\t"; return;
      case '\b': out += "\\b"; return;
      case '\f': out += "\\f"; return;
      default: break;
    }
    if (cp < 0x20) {
      const char esc[6] = {'\\', 'u', '0', '0', kHex[cp >> 4], kHex[cp & 15]};
      out.append(esc, 6);
    } else {
      out.push_back(c);
    }
    return;
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  char buf[4];
  size_t n;
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | cp >> 6);
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | cp >> 12);
    buf[1] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | cp >> 18);
    buf[1] = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  out.append(buf, n);
}

inline uint32_t Be16(const unsigned char* p) { return uint32_t{p[0]} << 8 | p[1]; }

/// Whether the table maps bytes 0-127 to themselves (every charset here but swe7 and a few
/// other 7-bit national variants): then pure-ASCII text is already UTF-8.
bool AsciiIdentity(const Charset& cs) {
  static const std::vector<bool> identity = [] {
    std::vector<bool> v(kCharsetCount, false);
    for (size_t i = 0; i < kCharsetCount; ++i) {
      const uint16_t* t = kCharsets[i].to_unicode;
      bool same = t != nullptr;
      for (uint16_t b = 0; same && b < 128; ++b) same = t[b] == b;
      v[i] = same;
    }
    return v;
  }();
  return identity[static_cast<size_t>(&cs - kCharsets)];
}

bool IsAscii(std::string_view bytes) {
  size_t i = 0;
  for (uint64_t w; i + 8 <= bytes.size(); i += 8) {
    std::memcpy(&w, bytes.data() + i, 8);
    if (w & 0x8080808080808080ULL) return false;
  }
  for (; i < bytes.size(); ++i) {
    if (static_cast<uint8_t>(bytes[i]) >= 0x80) return false;
  }
  return true;
}

void AppendSingleByte(std::string& out, std::string_view bytes, const Charset& cs) {
  if (IsAscii(bytes) && AsciiIdentity(cs)) {
    AppendJsonString(out, bytes);
    return;
  }
  const uint16_t* table = cs.to_unicode;
  out.push_back('"');
  for (const char c : bytes) AppendCodePoint(out, table[static_cast<uint8_t>(c)]);
  out.push_back('"');
}

/// UCS-2 / UTF-16 (either byte order) / UTF-32; a truncated unit or a lone surrogate is U+FFFD.
void AppendWide(std::string& out, std::string_view bytes, CharsetKind kind) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const size_t unit = kind == CharsetKind::kUtf32 ? 4 : 2;
  auto load16 = [&](size_t i) {
    return kind == CharsetKind::kUtf16Le ? uint32_t{p[i + 1]} << 8 | p[i] : Be16(p + i);
  };
  out.push_back('"');
  size_t i = 0;
  for (; i + unit <= n; i += unit) {
    if (unit == 4) {
      AppendCodePoint(out, Be16(p + i) << 16 | Be16(p + i + 2));
      continue;
    }
    uint32_t cp = load16(i);
    if (kind != CharsetKind::kUcs2 && cp >= 0xD800 && cp <= 0xDBFF && i + 4 <= n) {
      const uint32_t low = load16(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    AppendCodePoint(out, cp);
  }
  if (i < n) AppendCodePoint(out, 0xFFFD);
  out.push_back('"');
}

}  // namespace

const Charset* CharsetForCollation(uint32_t collation_id) {
  const auto* end = kCollations + kCollationCount;
  const auto* it = std::lower_bound(
      kCollations, end, collation_id,
      [](const charset_tables::CollationEntry& e, uint32_t id) { return e.id < id; });
  if (it == end || it->id != collation_id) return nullptr;
  return &kCharsets[it->charset];
}

const Charset* CharsetByName(std::string_view name) {
  if (name == "utf8") return Find("utf8mb3");
  return Find(name);
}

const Charset& BinaryCharset() {
  static const Charset* cs = Find("binary");
  return *cs;
}

const Charset& Utf8mb4Charset() {
  static const Charset* cs = Find("utf8mb4");
  return *cs;
}

void AppendBase64Json(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const size_t start = out.size();
  out.resize(start + 2 + (n + 2) / 3 * 4);
  char* o = out.data() + start;
  *o++ = '"';
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t g = uint32_t{p[i]} << 16 | uint32_t{p[i + 1]} << 8 | p[i + 2];
    o[0] = kAlphabet[g >> 18];
    o[1] = kAlphabet[g >> 12 & 63];
    o[2] = kAlphabet[g >> 6 & 63];
    o[3] = kAlphabet[g & 63];
    o += 4;
  }
  if (n - i == 1) {
    const uint32_t g = uint32_t{p[i]} << 16;
    o[0] = kAlphabet[g >> 18];
    o[1] = kAlphabet[g >> 12 & 63];
    o[2] = '=';
    o[3] = '=';
    o += 4;
  } else if (n - i == 2) {
    const uint32_t g = uint32_t{p[i]} << 16 | uint32_t{p[i + 1]} << 8;
    o[0] = kAlphabet[g >> 18];
    o[1] = kAlphabet[g >> 12 & 63];
    o[2] = kAlphabet[g >> 6 & 63];
    o[3] = '=';
    o += 4;
  }
  *o = '"';
}

void AppendCharsetJsonString(std::string& out, std::string_view bytes, const Charset& cs) {
  switch (cs.kind) {
    case CharsetKind::kBinary:
      AppendBase64Json(out, bytes);
      return;
    case CharsetKind::kSingleByte:
      AppendSingleByte(out, bytes, cs);
      return;
    case CharsetKind::kUcs2:
    case CharsetKind::kUtf16:
    case CharsetKind::kUtf16Le:
    case CharsetKind::kUtf32:
      AppendWide(out, bytes, cs.kind);
      return;
    case CharsetKind::kUtf8:
    case CharsetKind::kOtherMultiByte:
      AppendJsonString(out, bytes);
      return;
  }
}

}  // namespace rivven::mysql
