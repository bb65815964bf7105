#include "clients/http/http_client.h"

#include <curl/curl.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "base/ascii.h"
#include "base/log.h"
#include "base/warn_once.h"

namespace rivven::http {
namespace {

CURL* Curl(void* p) { return static_cast<CURL*>(p); }

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One warning per owner: a sink opens a client per sender and again after every restart.
void WarnVerificationOff(const std::string& owner) {
  log::WarnOnce("http", (owner.empty() ? "an HTTP client" : owner) +
                            ": TLS certificate verification is off, the server's identity is "
                            "not checked");
}


struct BodySink {
  std::string* body;
  size_t max_bytes;
  bool over = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > sink->max_bytes) {
    sink->over = true;
    return 0;  // libcurl stops the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after a 100 Continue or a redirect): start over
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  headers->emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  return size * n;
}

bool IsRetriable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  const std::string key = AsciiLower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string RedactedUrl(std::string_view url) {
  std::string_view u = url.substr(0, url.find_first_of("?#"));
  // scheme://user:password@host -> scheme://host
  const size_t scheme = u.find("://");
  const size_t at = u.find('@', scheme == std::string_view::npos ? 0 : scheme + 3);
  const size_t slash = u.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (scheme != std::string_view::npos && at != std::string_view::npos &&
      (slash == std::string_view::npos || at < slash)) {
    return std::string(u.substr(0, scheme + 3)) + std::string(u.substr(at + 1));
  }
  return std::string(u);
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const ClientOptions& options) {
  if (!options.ca_path.empty() && access(options.ca_path.c_str(), R_OK) != 0) {
    return Status::InvalidArgument("TLS CA file " + options.ca_path +
                                   " cannot be read: " + std::strerror(errno));
  }
  GlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("libcurl could not create a handle");
  std::unique_ptr<HttpClient> c(new HttpClient());
  c->curl_ = curl;
  c->options_ = options;
  c->SetFixedOptions();
  if (!options.verify_tls) WarnVerificationOff(options.owner);
  return c;
}

void HttpClient::SetFixedOptions() {
  CURL* curl = Curl(curl_);
  // Set once: they hold for every request of this handle.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_path.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_path.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(Curl(curl_));
}

Result<Response> HttpClient::Send(const Request& request) {
  CURL* curl = Curl(curl_);
  Response response;
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  BodySink body_sink{&response.body, options_.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_sink);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  // The method and body of the previous request must not carry over.
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1));
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const std::string_view body = request.Body();
  if (!body.empty() || (request.method != "GET" && request.method != "HEAD")) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* headers = nullptr;
  bool has_expect = false;
  for (const auto& [k, v] : request.headers) {
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
    has_expect |= AsciiLower(k) == "expect";
  }
  // No "Expect: 100-continue" round trip before large bodies.
  if (!has_expect) headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  error_[0] = '\0';
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  connections_ += static_cast<uint64_t>(connects);
  curl_off_t micros = 0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &micros);
  response.elapsed = std::chrono::microseconds(micros);
  if (code != CURLE_OK) {
    if (body_sink.over) {
      return Status::FailedPrecondition(request.method + " " + RedactedUrl(request.url) +
                                        ": the response body is larger than " +
                                        std::to_string(options_.max_response_bytes) +
                                        " bytes, the most one response may hold");
    }
    std::string text = request.method + " " + RedactedUrl(request.url) + ": ";
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
      text += DescribeTlsVerificationFailure(error_);
    } else {
      text += curl_easy_strerror(code);
      if (error_[0] != '\0') text += std::string(" (") + error_ + ")";
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return Status::Timeout(text + " (after " + std::to_string(request.timeout.count()) + " ms)");
    }
    if (IsRetriable(code)) return Status::Unavailable(std::move(text));
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
      return Status::InvalidArgument(std::move(text));
    }
    return Status::FailedPrecondition(std::move(text));  // TLS verification and the like
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string DescribeTlsVerificationFailure(std::string_view detail) {
  const std::string lower = AsciiLower(detail);
  const bool host = lower.find("host name") != std::string::npos ||
                    lower.find("hostname") != std::string::npos;
  return std::string(host ? "TLS host name mismatch" : "TLS certificate verify failed") + " (" +
         std::string(detail.empty() ? "no detail from libcurl" : detail) + ")";
}

}  // namespace rivven::http
