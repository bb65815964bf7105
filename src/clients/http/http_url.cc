#include "clients/http/http_url.h"

#include "base/ascii.h"

#include <cctype>

namespace rivven::http {
namespace {


std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string WithQueryParam(std::string_view url, std::string_view name, std::string_view value) {
  const size_t hash = url.find('#');
  const std::string fragment(hash == std::string_view::npos ? "" : url.substr(hash));
  const std::string_view base = url.substr(0, hash);
  const size_t q = base.find('?');
  const std::string encoded_name = UrlEncode(name);
  const std::string param = encoded_name + "=" + UrlEncode(value);
  std::vector<std::string_view> items;
  if (q != std::string_view::npos) {
    std::string_view query = base.substr(q + 1);
    while (true) {
      const size_t amp = query.find('&');
      if (!query.substr(0, amp).empty()) items.push_back(query.substr(0, amp));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  std::string out(base.substr(0, q));
  out += '?';
  bool replaced = false, first = true;
  for (std::string_view item : items) {
    const std::string_view key = item.substr(0, item.find('='));
    const bool match = key == encoded_name || key == name;
    if (match && replaced) continue;  // a repeated parameter collapses into one
    if (!first) out += '&';
    first = false;
    if (match) {
      out += param;
      replaced = true;
    } else {
      out += item;
    }
  }
  if (!replaced) {
    if (!first) out += '&';
    out += param;
  }
  return out + fragment;
}

std::string ResolveUrl(std::string_view base, std::string_view link) {
  link = Trim(link);
  if (link.find("://") != std::string_view::npos) return std::string(link);
  const size_t scheme_end = base.find("://");
  if (scheme_end == std::string_view::npos) return std::string(link);
  if (link.starts_with("//")) return std::string(base.substr(0, scheme_end + 1)) + std::string(link);
  const size_t host_end = base.find('/', scheme_end + 3);
  const std::string_view origin =
      host_end == std::string_view::npos ? base.substr(0, base.find_first_of("?#", scheme_end + 3))
                                         : base.substr(0, host_end);
  if (link.starts_with("/")) return std::string(origin) + std::string(link);
  std::string_view path = host_end == std::string_view::npos
                              ? std::string_view("/")
                              : base.substr(host_end, base.find_first_of("?#", host_end) - host_end);
  if (link.starts_with("?")) return std::string(origin) + std::string(path) + std::string(link);
  const size_t slash = path.rfind('/');
  return std::string(origin) + std::string(path.substr(0, slash + 1)) + std::string(link);
}

std::optional<std::string> NextLink(std::string_view header) {
  // Entries: <target>; param; param, <target>; ...
  size_t p = 0;
  while (p < header.size()) {
    const size_t open = header.find('<', p);
    if (open == std::string_view::npos) return std::nullopt;
    const size_t close = header.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view target = header.substr(open + 1, close - open - 1);
    const size_t next_entry = header.find('<', close);
    const std::string_view params =
        header.substr(close + 1, (next_entry == std::string_view::npos ? header.size() : next_entry) -
                                     close - 1);
    size_t at = 0;
    while (at < params.size()) {
      const size_t semi = params.find_first_of(";,", at);
      std::string_view param = Trim(params.substr(at, semi == std::string_view::npos ? params.npos : semi - at));
      if (AsciiLower(param.substr(0, 3)) == "rel") {
        std::string_view v = Trim(param.substr(param.find('=') + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        // rel may hold several space-separated relation types.
        size_t s = 0;
        const std::string rels = AsciiLower(v);
        while (s <= rels.size()) {
          const size_t sp = rels.find(' ', s);
          if (rels.substr(s, sp == std::string::npos ? std::string::npos : sp - s) == "next") {
            return std::string(target);
          }
          if (sp == std::string::npos) break;
          s = sp + 1;
        }
      }
      if (semi == std::string_view::npos) break;
      at = semi + 1;
    }
    if (next_entry == std::string_view::npos) break;
    p = next_entry;
  }
  return std::nullopt;
}

}  // namespace rivven::http
