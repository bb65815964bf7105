#include "clients/s3/s3_url.h"

#include <charconv>

#include "base/ascii.h"
#include "clients/s3/sigv4.h"

namespace rivven::s3 {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool IsIpOrLocalhost(std::string_view host) {
  if (host.starts_with('[') || host == "localhost") return true;
  if (host.empty()) return false;
  for (char c : host) {
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view endpoint, std::string_view region) {
  Endpoint e;
  if (endpoint.empty()) {
    if (region.empty()) return Status::InvalidArgument("S3: region is required");
    e.scheme = "https";
    e.host = "s3." + std::string(region) + ".amazonaws.com";
    return e;
  }
  const std::string text(endpoint);
  const size_t sep = text.find("://");
  if (sep == std::string::npos) {
    return Status::InvalidArgument(
        "S3 endpoint '" + text +
        "' has no scheme: write http://host[:port] or https://host[:port]");
  }
  e.scheme = AsciiLower(text.substr(0, sep));
  if (e.scheme != "http" && e.scheme != "https") {
    return Status::InvalidArgument("S3 endpoint '" + text + "': only http and https are supported");
  }
  std::string rest = text.substr(sep + 3);
  if (rest.find_first_of("?#@") != std::string::npos) {
    // Not echoed: user info may hold a password.
    return Status::InvalidArgument(
        "S3 endpoint must be scheme://host[:port][/path], without a query, fragment or user info");
  }
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    e.base_path = PercentDecode(rest.substr(slash));
    while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  }
  std::string port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string::npos) {
      return Status::InvalidArgument("S3 endpoint '" + text + "': unterminated IPv6 address");
    }
    e.host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return Status::InvalidArgument("S3 endpoint '" + text + "': bad host");
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.find(':');
    e.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (e.host.empty() || e.host == "[]") {
    return Status::InvalidArgument("S3 endpoint '" + text + "' has no host");
  }
  if (!port_text.empty() || authority.ends_with(':')) {
    const auto [p, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), e.port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || e.port < 1 ||
        e.port > 65535) {
      return Status::InvalidArgument("S3 endpoint '" + text + "': bad port '" + port_text + "'");
    }
  }
  const int default_port = e.scheme == "https" ? 443 : 80;
  if (e.port == default_port) e.port = 0;
  return e;
}

bool IsVirtualHostableBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

RequestTarget BuildTarget(const Endpoint& endpoint, bool force_path_style, std::string_view bucket,
                          std::string_view key,
                          const std::vector<std::pair<std::string, std::string>>& query) {
  const bool path_style = force_path_style || bucket.empty() || IsIpOrLocalhost(endpoint.host) ||
                          !IsVirtualHostableBucket(bucket);
  RequestTarget t;
  std::string host = endpoint.host;
  if (!path_style) host = std::string(bucket) + "." + host;
  t.host = host;
  if (endpoint.port != 0) t.host.append(":").append(std::to_string(endpoint.port));
  t.path = endpoint.base_path;
  if (path_style && !bucket.empty()) t.path.append("/").append(bucket);
  if (!key.empty()) t.path.append("/").append(key);
  if (t.path.empty()) t.path.push_back('/');
  t.url = endpoint.scheme;
  t.url.append("://").append(t.host).append(CanonicalUri(t.path));
  const std::string q = CanonicalQueryString(query);
  if (!q.empty()) t.url.append("?").append(q);
  return t;
}

}  // namespace rivven::s3
