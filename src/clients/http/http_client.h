#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

// An HTTP client on libcurl's easy interface: one connection kept alive and reused across
// requests, HTTP/1.1 or HTTP/2 (over TLS, as negotiated), TLS verification on unless turned off.
// No libcurl header here.
namespace rivven::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  /// When set, sent instead of `body`, without a copy (large uploads); the caller keeps the
  /// bytes alive until Send returns.
  std::optional<std::string_view> body_view;
  std::chrono::milliseconds timeout{30000};  ///< the whole request, connection included

  std::string_view Body() const { return body_view ? *body_view : std::string_view(body); }
};

struct Response {
  long status = 0;
  Headers headers;  ///< names lower-cased, in arrival order (of the final response)
  std::string body;
  std::chrono::microseconds elapsed{0};
  /// The first header of that name (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

struct ClientOptions {
  /// Verify the server's certificate and host name (the default). Off: a warning naming
  /// `owner` is logged, once per owner and process.
  bool verify_tls = true;
  std::string ca_path;  ///< PEM bundle; empty: the system's trust store (must be readable)
  /// Whose client this is, for the warning above: the setting that turned verification off,
  /// e.g. "sinks.hook.config.tls.verify". Empty: "an HTTP client".
  std::string owner;
  std::string user_agent = "rivven-connect";
  std::chrono::milliseconds connect_timeout{10000};
  /// A response body larger than this fails the request (fatal) instead of filling memory.
  size_t max_response_bytes = size_t{64} << 20;
};

/// One HTTP client. Thread: one thread at a time (libcurl easy handles are not shared).
class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(const ClientOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Performs `request` on the kept connection (opening one when needed). Any HTTP status
  /// comes back as a Response. Transport failures are Status values naming the URL (never
  /// its query string) and libcurl's reason: refused, reset or dropped connections, DNS
  /// failures and timeouts are retriable (kTimeout for timeouts); TLS verification failures
  /// ("TLS certificate verify failed (...)", "TLS host name mismatch (...)"), malformed URLs and
  /// unsupported protocols are fatal.
  Result<Response> Send(const Request& request);

  /// Connections opened so far (1 for any number of requests on a kept connection).
  uint64_t connections_opened() const { return connections_; }

 private:
  HttpClient() = default;
  void SetFixedOptions();
  void* curl_ = nullptr;  // CURL*
  char error_[256] = {};  // libcurl's detail of the last failure (CURLOPT_ERRORBUFFER)
  ClientOptions options_;
  uint64_t connections_ = 0;
};

/// The URL without its query string and credentials, for messages and metrics.
std::string RedactedUrl(std::string_view url);

/// libcurl's `reason` for a TLS verification failure made plain: "TLS host name mismatch
/// (<detail>)" when the certificate does not name the host, else "TLS certificate verify
/// failed (<detail>)" (unknown CA, expired, ...). `detail` is libcurl's error buffer.
std::string DescribeTlsVerificationFailure(std::string_view detail);

}  // namespace rivven::http
