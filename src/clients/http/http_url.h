#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// URL helpers for HTTP APIs: query parameters, relative links, Link headers. Pure.
namespace rivven::http {

/// Percent-encodes `s` for a query component (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view s);

/// `url` with `name=value` set in its query: an existing parameter of that name is replaced,
/// otherwise it is appended (before any #fragment).
std::string WithQueryParam(std::string_view url, std::string_view name, std::string_view value);

/// `link` resolved against `base`: absolute URLs as they are, "//host/x" with base's scheme,
/// "/x" on base's host, "x" and "?q" relative to base's path.
std::string ResolveUrl(std::string_view base, std::string_view link);

/// The target of rel="next" in a Link header (RFC 8288), e.g.
/// `<https://api/x?page=2>; rel="next", <...>; rel="last"`.
std::optional<std::string> NextLink(std::string_view link_header);

}  // namespace rivven::http
