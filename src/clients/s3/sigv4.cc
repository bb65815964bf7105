#include "clients/s3/sigv4.h"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "base/ascii.h"
#include "base/status.h"

namespace rivven::s3 {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Trimmed, with runs of spaces collapsed to one (SigV4's canonical header value).
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Lower-cased names, sorted, repeated names joined with ',' in the order given. The headers
// Sign adds replace any of the same name the caller passed.
std::map<std::string, std::string> CanonicalHeaders(const SigningInput& input,
                                                    const SigningKeys& keys,
                                                    std::string_view amz_date,
                                                    std::string_view service) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : input.headers) {
    std::string key = AsciiLower(name);
    auto [it, inserted] = headers.try_emplace(key, CanonicalHeaderValue(value));
    if (!inserted) it->second.append(",").append(CanonicalHeaderValue(value));
  }
  headers["x-amz-date"] = std::string(amz_date);
  if (service == "s3") headers["x-amz-content-sha256"] = input.payload_sha256;
  if (!keys.session_token.empty()) headers["x-amz-security-token"] = keys.session_token;
  return headers;
}

std::string SignedHeaderList(const std::map<std::string, std::string>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CredentialScope(std::string_view amz_date, std::string_view region,
                            std::string_view service) {
  std::string scope(amz_date.substr(0, 8));
  scope.append("/").append(region).append("/").append(service).append("/aws4_request");
  return scope;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const int ok = EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  RC_ASSERT(ok == 1);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  const unsigned char* out = EVP_Q_mac(
      nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
      reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, sizeof mac, &len);
  RC_ASSERT(out != nullptr);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path) {
  if (path.empty()) return "/";
  return UriEncode(path, /*keep_slash=*/true);
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalRequest(const SigningInput& input, const SigningKeys& keys,
                             std::string_view amz_date, std::string_view service) {
  const auto headers = CanonicalHeaders(input, keys, amz_date, service);
  std::string out = input.method;
  out.append("\n").append(CanonicalUri(input.path));
  out.append("\n").append(CanonicalQueryString(input.query)).append("\n");
  for (const auto& [name, value] : headers) out.append(name).append(":").append(value).append("\n");
  out.append("\n").append(SignedHeaderList(headers));
  out.append("\n").append(input.payload_sha256);
  return out;
}

std::string StringToSign(std::string_view canonical_request, std::string_view amz_date,
                         std::string_view region, std::string_view service) {
  std::string out = kAlgorithm;
  out.append("\n").append(amz_date);
  out.append("\n").append(CredentialScope(amz_date, region, service));
  out.append("\n").append(Sha256Hex(canonical_request));
  return out;
}

std::vector<std::pair<std::string, std::string>> SignAt(const SigningInput& input,
                                                        const SigningKeys& keys,
                                                        std::string_view region,
                                                        std::string_view service,
                                                        std::string_view amz_date) {
  const std::string canonical = CanonicalRequest(input, keys, amz_date, service);
  const std::string to_sign = StringToSign(canonical, amz_date, region, service);
  // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
  std::string key = HmacSha256("AWS4" + keys.secret_access_key, amz_date.substr(0, 8));
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  const std::string signature = HexEncode(HmacSha256(key, to_sign));

  std::string authorization = kAlgorithm;
  authorization.append(" Credential=").append(keys.access_key_id).append("/");
  authorization.append(CredentialScope(amz_date, region, service));
  authorization.append(", SignedHeaders=")
      .append(SignedHeaderList(CanonicalHeaders(input, keys, amz_date, service)));
  authorization.append(", Signature=").append(signature);

  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("Authorization", std::move(authorization));
  out.emplace_back("x-amz-date", std::string(amz_date));
  if (service == "s3") out.emplace_back("x-amz-content-sha256", input.payload_sha256);
  if (!keys.session_token.empty()) out.emplace_back("x-amz-security-token", keys.session_token);
  return out;
}

std::vector<std::pair<std::string, std::string>> Sign(const SigningInput& input,
                                                      const SigningKeys& keys,
                                                      std::string_view region,
                                                      std::string_view service,
                                                      std::chrono::system_clock::time_point time) {
  return SignAt(input, keys, region, service, AmzDate(time));
}

}  // namespace rivven::s3
