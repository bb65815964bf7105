#include "clients/s3/s3_client.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <random>
#include <thread>

#include "base/log.h"
#include "clients/http/backoff.h"
#include "clients/http/http_client.h"
#include "clients/http/retry_after.h"
#include "clients/s3/s3_error.h"
#include "clients/s3/s3_url.h"
#include "clients/s3/s3_xml.h"
#include "clients/s3/sigv4.h"

namespace rivven::s3 {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMinPartSize = 5u << 20;         // S3: every part but the last
constexpr size_t kMaxPartSize = size_t{5} << 30;  // S3: 5 GiB
constexpr size_t kMaxParts = 10000;               // S3: part numbers 1-10000
// A Retry-After longer than this is not waited for in full: the runtime's own retry takes over.
constexpr std::chrono::milliseconds kMaxRetryAfter{120000};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string ObjectName(const std::string& bucket, const std::string& key) {
  return key.empty() ? "s3://" + bucket : "s3://" + bucket + "/" + key;
}

std::string StripQuotes(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Credentials> ResolveCredentials(const std::string& access_key_id,
                                       const std::string& secret_access_key) {
  if (!access_key_id.empty() || !secret_access_key.empty()) {
    if (access_key_id.empty() || secret_access_key.empty()) {
      return Status::InvalidArgument(std::string("S3 credentials: ") +
                                     (access_key_id.empty()
                                          ? "secret_access_key is set without access_key_id"
                                          : "access_key_id is set without secret_access_key"));
    }
    return Credentials{access_key_id, secret_access_key, ""};
  }
  Credentials c{Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::FailedPrecondition(
        "no S3 credentials: set access_key_id and secret_access_key in the config, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
        "credentials) in the environment");
  }
  return c;
}

struct S3Client::EndpointState {
  Endpoint endpoint;
};

/// One S3 request before signing.
struct S3Client::Call {
  std::string method;
  std::string bucket;
  std::string key;
  Params query;
  Params headers;  ///< sent and signed
  std::string_view body;
  /// CompleteMultipartUpload may answer 200 with an <Error> document: check the body.
  bool error_may_come_with_200 = false;
};

S3Client::S3Client(S3Options options) : options_(std::move(options)) {
  jitter_.seed(std::random_device{}());
}

S3Client::~S3Client() = default;

Result<std::unique_ptr<S3Client>> S3Client::Create(S3Options options) {
  if (options.region.empty())
    return Status::InvalidArgument("S3: region is required (e.g. us-east-1)");
  if (options.credentials.access_key_id.empty() || options.credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("S3: an access key id and a secret access key are required");
  }
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return Status::InvalidArgument("S3: part_size must be between 5 MiB and 5 GiB, not " +
                                   std::to_string(options.part_size) + " bytes");
  }
  if (options.max_attempts < 1)
    return Status::InvalidArgument("S3: max_attempts must be at least 1");
  if (options.list_max_keys < 1 || options.list_max_keys > 1000) {
    return Status::InvalidArgument("S3: list_max_keys must be between 1 and 1000");
  }
  if (options.initial_backoff.count() < 0 || options.max_backoff < options.initial_backoff) {
    return Status::InvalidArgument("S3: need 0 <= initial_backoff <= max_backoff");
  }
  RC_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(options.endpoint, options.region));
  http::ClientOptions http_options;
  http_options.verify_tls = options.verify_tls;
  http_options.ca_path = options.ca_path;
  http_options.owner = options.tls_owner;
  RC_ASSIGN_OR_RETURN(auto http, http::HttpClient::Create(http_options));
  std::unique_ptr<S3Client> c(new S3Client(std::move(options)));
  c->endpoint_ = std::make_unique<EndpointState>(EndpointState{std::move(endpoint)});
  c->http_ = std::move(http);
  return c;
}

std::chrono::milliseconds S3Client::Backoff(int attempt) {
  return http::BackoffDelay(attempt, options_.initial_backoff, options_.max_backoff, jitter_);
}

Result<http::Response> S3Client::Execute(const Call& call) {
  const RequestTarget target = BuildTarget(endpoint_->endpoint, options_.force_path_style,
                                           call.bucket, call.key, call.query);
  const std::string what = call.method + " " + ObjectName(call.bucket, call.key);
  SigningInput input;
  input.method = call.method;
  input.path = target.path;
  input.query = call.query;
  input.headers = call.headers;
  input.headers.emplace_back("host", target.host);
  input.payload_sha256 = Sha256Hex(call.body);
  const SigningKeys keys{options_.credentials.access_key_id, options_.credentials.secret_access_key,
                         options_.credentials.session_token};

  http::Request request;
  request.method = call.method;
  request.url = target.url;
  request.body_view = call.body;  // PutObject's caller keeps the bytes alive
  request.timeout = options_.timeout;

  Status failure;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    request.headers = input.headers;
    for (auto& h : Sign(input, keys, options_.region, "s3", std::chrono::system_clock::now())) {
      request.headers.push_back(std::move(h));
    }
    ++requests_;
    if (attempt > 1) ++retries_;
    std::optional<std::chrono::milliseconds> retry_after;
    auto sent = http_->Send(request);
    if (!sent.ok()) {
      if (!sent.status().retriable()) return sent.status().WithContext("S3 " + what);
      failure = sent.status().WithContext("S3 " + what);
    } else {
      http::Response& response = *sent;
      const bool success = response.status >= 200 && response.status < 300;
      ErrorBody error;
      if (!success || call.error_may_come_with_200) error = ParseErrorBody(response.body);
      if (success && error.code.empty()) return std::move(sent).value();
      // A 200 with an <Error> inside is S3 failing after it started answering: retriable.
      const long status = success ? 500 : response.status;
      failure =
          AnswerStatus(what, status, error, response.Header("x-amz-bucket-region").value_or(""));
      if (!failure.retriable()) return failure;
      if (auto h = response.Header("retry-after")) retry_after = http::ParseRetryAfter(*h);
    }
    if (attempt == options_.max_attempts) break;
    auto delay = Backoff(attempt);
    if (retry_after) delay = std::max(delay, std::min(*retry_after, kMaxRetryAfter));
    log::Debug("s3", "{} (attempt {} of {}), retrying in {} ms", failure.message(), attempt,
               options_.max_attempts, delay.count());
    std::this_thread::sleep_for(delay);
  }
  return Status::Unavailable(failure.message() + " (gave up after " +
                             std::to_string(options_.max_attempts) + " attempts)");
}

Status S3Client::PutObject(const std::string& bucket, const std::string& key, std::string_view body,
                           const std::string& content_type, const Params& extra_headers) {
  if (key.empty()) return Status::InvalidArgument("S3 PutObject into " + bucket + ": empty key");
  Params headers = extra_headers;
  headers.emplace_back("content-type", content_type);
  if (!body.empty() && body.size() >= options_.multipart_threshold) {
    return PutMultipart(bucket, key, body, headers);
  }
  Call call{"PUT", bucket, key, {}, std::move(headers), body};
  return Execute(call).status();
}

Status S3Client::PutMultipart(const std::string& bucket, const std::string& key,
                              std::string_view body, const Params& headers) {
  const std::string name = ObjectName(bucket, key);
  Call initiate{"POST", bucket, key, {{"uploads", ""}}, headers, {}};
  RC_ASSIGN_OR_RETURN(http::Response created, Execute(initiate));
  const std::string upload_id = XmlText(created.body, "UploadId").value_or("");
  if (upload_id.empty()) {
    return Status::Internal("S3 multipart upload of " + name + ": no UploadId in the answer");
  }
  // More than 10,000 parts are refused: larger bodies get larger parts.
  const size_t part_size = std::max(options_.part_size, (body.size() + kMaxParts - 1) / kMaxParts);

  auto upload = [&]() -> Status {
    std::string complete = "<CompleteMultipartUpload>";
    size_t number = 1;
    for (size_t offset = 0; offset < body.size(); offset += part_size, ++number) {
      Call part{"PUT",
                bucket,
                key,
                {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                {{"content-type", "application/octet-stream"}},
                body.substr(offset, part_size)};
      RC_ASSIGN_OR_RETURN(http::Response uploaded, Execute(part));
      const auto etag = uploaded.Header("etag");
      if (!etag || etag->empty()) {
        return Status::Internal("S3 multipart upload of " + name + ": part " +
                                std::to_string(number) + " answered without an ETag");
      }
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  XmlEscape(*etag) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Call finish{
        "POST",  bucket, key, {{"uploadId", upload_id}}, {{"content-type", "application/xml"}},
        complete};
    finish.error_may_come_with_200 = true;
    return Execute(finish).status();
  };
  Status status = upload();
  if (status.ok()) return status;
  Call abort{"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}};
  if (Status aborted = Execute(abort).status(); !aborted.ok()) {
    log::Warn("s3",
              "aborting the multipart upload of {} failed, its parts stay until a lifecycle "
              "rule removes them: {}",
              name, aborted.message());
  }
  return status;
}

Result<std::optional<ObjectInfo>> S3Client::HeadObject(const std::string& bucket,
                                                       const std::string& key) {
  Call call{"HEAD", bucket, key, {}, {}, {}};
  auto r = Execute(call);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return std::optional<ObjectInfo>();
    return r.status();
  }
  ObjectInfo info;
  info.key = key;
  const std::string length = r->Header("content-length").value_or("");
  if (!ParseU64(length, &info.size)) {
    return Status::Internal("S3 HEAD " + ObjectName(bucket, key) + ": bad Content-Length '" +
                            length + "'");
  }
  info.etag = StripQuotes(r->Header("etag").value_or(""));
  return std::optional<ObjectInfo>(std::move(info));
}

Result<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key) {
  Call call{"GET", bucket, key, {}, {}, {}};
  RC_ASSIGN_OR_RETURN(http::Response r, Execute(call));
  return std::move(r.body);
}

Result<std::vector<ObjectInfo>> S3Client::ListObjects(const std::string& bucket,
                                                      const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  while (true) {
    Call call{"GET", bucket, "", {{"list-type", "2"}, {"prefix", prefix}}, {}, {}};
    if (options_.list_max_keys != 1000) {
      call.query.emplace_back("max-keys", std::to_string(options_.list_max_keys));
    }
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    RC_ASSIGN_OR_RETURN(http::Response r, Execute(call));
    for (std::string_view contents : XmlElements(r.body, "Contents")) {
      ObjectInfo info;
      info.key = XmlText(contents, "Key").value_or("");
      const std::string size = XmlText(contents, "Size").value_or("");
      if (info.key.empty() || !ParseU64(size, &info.size)) {
        return Status::Internal("S3 list of " + ObjectName(bucket, prefix) +
                                ": an entry without Key or Size");
      }
      info.etag = StripQuotes(XmlText(contents, "ETag").value_or(""));
      out.push_back(std::move(info));
    }
    if (XmlText(r.body, "IsTruncated").value_or("false") != "true") return out;
    token = XmlText(r.body, "NextContinuationToken").value_or("");
    if (token.empty()) {
      return Status::Internal("S3 list of " + ObjectName(bucket, prefix) +
                              ": truncated answer without NextContinuationToken");
    }
  }
}

Status S3Client::DeleteObject(const std::string& bucket, const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("S3 DeleteObject in " + bucket + ": empty key");
  Call call{"DELETE", bucket, key, {}, {}, {}};
  return Execute(call).status();
}

Status S3Client::CheckBucket(const std::string& bucket) {
  Call call{"HEAD", bucket, "", {}, {}, {}};
  Status s = Execute(call).status();
  if (s.code() == StatusCode::kNotFound) {
    return Status::NotFound("S3 bucket '" + bucket + "' does not exist (" + s.message() + ")");
  }
  return s;
}

}  // namespace rivven::s3
