#include "clients/s3/s3_xml.h"

#include <cstdint>

namespace rivven::s3 {
namespace {

bool IsNameEnd(char c) {
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Where the markup that starts at `pos` (a '<') ends: one past its closing '>', or npos.
// Comments, CDATA and processing instructions are skipped whole.
size_t SkipMarkup(std::string_view xml, size_t pos) {
  auto past = [&](std::string_view end) {
    const size_t e = xml.find(end, pos);
    return e == std::string_view::npos ? e : e + end.size();
  };
  if (xml.compare(pos, 4, "<!--") == 0) return past("-->");
  if (xml.compare(pos, 9, "<![CDATA[") == 0) return past("]]>");
  if (xml.compare(pos, 2, "<?") == 0) return past("?>");
  return past(">");
}

// Whether the tag at `pos` ('<' or "</") is named `name`.
bool TagNamed(std::string_view xml, size_t name_at, std::string_view name) {
  return xml.compare(name_at, name.size(), name) == 0 && name_at + name.size() < xml.size() &&
         IsNameEnd(xml[name_at + name.size()]);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A numeric character reference's code point ("#233", "#xE9"), if valid.
bool ParseCharRef(std::string_view ref, uint32_t* cp) {
  if (ref.size() < 2 || ref[0] != '#') return false;
  const bool hex = ref[1] == 'x' || ref[1] == 'X';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (hex && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (hex && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = v * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  return true;
}

}  // namespace

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    const size_t tag_end = SkipMarkup(xml, pos);
    if (tag_end == std::string_view::npos) break;
    if (!TagNamed(xml, pos + 1, name)) {
      pos = tag_end;
      continue;
    }
    if (xml[tag_end - 2] == '/') {  // <name/>
      out.emplace_back();
      pos = tag_end;
      continue;
    }
    // Find the matching end tag, counting nested elements of the same name.
    const size_t content = tag_end;
    size_t scan = content;
    int depth = 1;
    size_t close_at = std::string_view::npos;
    while (depth > 0) {
      scan = xml.find('<', scan);
      if (scan == std::string_view::npos) break;
      const size_t end = SkipMarkup(xml, scan);
      if (end == std::string_view::npos) break;
      if (xml.compare(scan, 2, "</") == 0 && TagNamed(xml, scan + 2, name)) {
        if (--depth == 0) close_at = scan;
      } else if (TagNamed(xml, scan + 1, name) && xml[end - 2] != '/') {
        ++depth;
      }
      scan = end;
    }
    if (close_at == std::string_view::npos) break;
    out.push_back(xml.substr(content, close_at - content));
    pos = scan;
  }
  return out;
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view name) {
  const auto all = XmlElements(xml, name);
  if (all.empty()) return std::nullopt;
  return XmlDecode(all.front());
}

std::string XmlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '<' && text.compare(i, 9, "<![CDATA[") == 0) {
      const size_t end = text.find("]]>", i + 9);
      if (end != std::string_view::npos) {
        out.append(text.substr(i + 9, end - i - 9));
        i = end + 3;
        continue;
      }
    }
    if (c == '&') {
      const size_t semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 12) {
        const std::string_view ref = text.substr(i + 1, semi - i - 1);
        const char* named = ref == "amp"    ? "&"
                            : ref == "lt"   ? "<"
                            : ref == "gt"   ? ">"
                            : ref == "quot" ? "\""
                            : ref == "apos" ? "'"
                                            : nullptr;
        uint32_t cp = 0;
        if (named != nullptr) {
          out.append(named);
          i = semi + 1;
          continue;
        }
        if (ParseCharRef(ref, &cp)) {
          AppendUtf8(cp, &out);
          i = semi + 1;
          continue;
        }
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace rivven::s3
