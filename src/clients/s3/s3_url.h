#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

// Where an S3 request goes: the endpoint (AWS's regional one or a configured one), virtual-hosted
// (https://bucket.s3.region.amazonaws.com/key) or path-style (https://host/bucket/key)
// addressing, and the URL, Host header and path the signature covers. Pure.
namespace rivven::s3 {

/// A parsed endpoint: "https://s3.us-east-1.amazonaws.com" or "http://127.0.0.1:4568/base".
struct Endpoint {
  std::string scheme;     ///< "http" or "https"
  std::string host;       ///< without port; an IPv6 literal keeps its brackets
  int port = 0;           ///< 0: the scheme's default
  std::string base_path;  ///< decoded, no trailing '/' ("" or "/base")
};

/// `endpoint` parsed, or AWS's regional endpoint for `region` when it is empty. Only http and
/// https URLs without query, fragment or user info are accepted (InvalidArgument otherwise).
Result<Endpoint> ParseEndpoint(std::string_view endpoint, std::string_view region);

/// Whether `bucket` can be a DNS label in front of the endpoint's host: lower-case letters,
/// digits and '-', 3-63 characters, no dots (a dot breaks the TLS wildcard certificate).
bool IsVirtualHostableBucket(std::string_view bucket);

/// One request's target.
struct RequestTarget {
  std::string url;   ///< scheme://host[:port]/encoded-path?canonical-query
  std::string host;  ///< the Host header: host[:port] (port only when not the default)
  std::string path;  ///< decoded path the signature covers ("/bucket/key" or "/key")
};

/// The target for `key` in `bucket` (key "" for bucket-level requests) with `query` (decoded
/// pairs; written in SigV4's canonical order so URL and signature agree). Virtual-hosted unless
/// `force_path_style`, the host is an IP address or "localhost", or the bucket is not
/// virtual-hostable.
RequestTarget BuildTarget(const Endpoint& endpoint, bool force_path_style, std::string_view bucket,
                          std::string_view key,
                          const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace rivven::s3
