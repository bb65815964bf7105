#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4 (header-based): the canonical request, the string to sign and the
// Authorization header, with SHA-256 and HMAC-SHA256 from OpenSSL. Pure functions: no clock,
// no I/O. Checked against AWS's published test suite, the S3 documentation's examples and
// `curl --aws-sigv4` (tests/sigv4_test.cc).
namespace rivven::s3 {

/// The payload hash that tells S3 the body is not signed (not used by S3Client, which always
/// signs the real hash).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

/// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
/// HMAC-SHA256(key, data), raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);

/// SigV4's URI encoding: every byte except the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
/// (upper-case hex); '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
/// A decoded path ("/bucket/my key.txt") as the canonical URI: each segment encoded once, '/'
/// kept, no normalisation of "//", "." or ".." (S3's rules: object keys are taken literally).
/// An empty path is "/".
std::string CanonicalUri(std::string_view path);
/// Decoded query parameters as the canonical query string: names and values encoded, sorted by
/// name then value, joined with '&' ("uploads" with no value is "uploads=").
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& params);

/// What a request signature covers.
struct SigningInput {
  std::string method;  ///< "GET", "PUT", ...
  std::string path;    ///< decoded, e.g. "/bucket/dir/my key.txt" (encoded by CanonicalUri)
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded name/value pairs
  /// Headers to sign, as they will be sent; must include "host". Names are matched
  /// case-insensitively; repeated names are joined with ',' in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256;  ///< hex SHA-256 of the body, or kUnsignedPayload
};

struct SigningKeys {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty: none
};

/// "20150830T123600Z" for `time` (UTC).
std::string AmzDate(std::chrono::system_clock::time_point time);

/// The canonical request for `input` signed at `amz_date`. The headers that Sign adds
/// (x-amz-date, x-amz-content-sha256 for s3, x-amz-security-token) are part of it.
std::string CanonicalRequest(const SigningInput& input, const SigningKeys& keys,
                             std::string_view amz_date, std::string_view service);
std::string StringToSign(std::string_view canonical_request, std::string_view amz_date,
                         std::string_view region, std::string_view service);

/// The headers to add to the request: Authorization, x-amz-date, x-amz-content-sha256 (service
/// "s3" only) and x-amz-security-token (when keys.session_token is set). A header of the same
/// name already in input.headers is replaced in the signature, not duplicated.
std::vector<std::pair<std::string, std::string>> Sign(const SigningInput& input,
                                                      const SigningKeys& keys,
                                                      std::string_view region,
                                                      std::string_view service,
                                                      std::chrono::system_clock::time_point time);
/// Sign with the time given as an x-amz-date string (tests and the curl oracle).
std::vector<std::pair<std::string, std::string>> SignAt(const SigningInput& input,
                                                        const SigningKeys& keys,
                                                        std::string_view region,
                                                        std::string_view service,
                                                        std::string_view amz_date);

}  // namespace rivven::s3
