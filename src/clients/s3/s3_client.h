#pragma once

#include <chrono>
#include <random>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace rivven::http {
class HttpClient;
struct Response;
}  // namespace rivven::http

// An S3 client over our libcurl client (clients/http): objects put (multipart above a threshold),
// read, listed and deleted, every request signed with SigV4 over the real payload hash, and
// retried with exponential backoff and jitter while S3 answers 5xx, 429 or a throttling code, or
// the connection fails.
namespace rivven::s3 {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;  // session_token optional
};

/// Keys given in config win; otherwise AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
/// AWS_SESSION_TOKEN from the environment. FailedPrecondition naming both ways when neither gives a
/// key pair. Only one of the two keys in config is an InvalidArgument.
Result<Credentials> ResolveCredentials(const std::string& access_key_id,
                                       const std::string& secret_access_key);

struct S3Options {
  std::string region;             // required, e.g. us-east-1
  std::string endpoint;           // empty: https://s3.<region>.amazonaws.com (virtual-hosted:
                                  // https://<bucket>.s3.<region>.amazonaws.com)
  bool force_path_style = false;  // endpoint/bucket/key instead of bucket.endpoint/key
  Credentials credentials;
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  // the tls.verify key, named in the warning when it is false
  std::chrono::milliseconds timeout{60000};
  // Attempts per request: retries on 5xx, 429, SlowDown/RequestTimeout/InternalError, transport
  // errors.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200}, max_backoff{10000};
  size_t multipart_threshold = 16u << 20;  // bodies at least this big go up as multipart uploads
  size_t part_size = 8u << 20;             // >= 5 MiB except the last part (S3's rule)
  /// Keys per ListObjectsV2 page (1-1000; S3 never sends more than 1000).
  int list_max_keys = 1000;
};

/// An object as S3 lists or describes it. `etag` without its surrounding quotes (for a
/// multipart upload it is not an MD5 of the content but "<md5-of-md5s>-<parts>").
struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

/// One S3 account/endpoint. Owns one kept-alive HTTP connection (virtual-hosted addressing
/// opens one per bucket host as needed). Thread: one thread at a time. Durability: PutObject
/// returns OK only after S3 answered 200 for the whole object (for multipart uploads, the
/// CompleteMultipartUpload answer without an <Error> inside), i.e. once the object is stored.
/// A failed multipart upload is aborted (best effort) so its parts do not linger.
class S3Client {
 public:
  /// Checks the options (region, a key pair, part size 5 MiB-5 GiB, the endpoint URL).
  static Result<std::unique_ptr<S3Client>> Create(S3Options options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  /// Puts the object (multipart above the threshold: Create, UploadPart..., Complete; Abort on
  /// failure). OK only once S3 answered 200 for the whole object.
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view body,
                   const std::string& content_type = "application/octet-stream",
                   const std::vector<std::pair<std::string, std::string>>& extra_headers = {});
  /// nullopt when the object does not exist (404).
  Result<std::optional<ObjectInfo>> HeadObject(const std::string& bucket, const std::string& key);
  Result<std::string> GetObject(const std::string& bucket, const std::string& key);
  /// Every object under prefix (ListObjectsV2, following continuation tokens).
  Result<std::vector<ObjectInfo>> ListObjects(const std::string& bucket, const std::string& prefix);
  /// OK also when the object did not exist (S3 answers 204 either way).
  Status DeleteObject(const std::string& bucket, const std::string& key);
  /// HEAD bucket: exists and the credentials may use it (for `check`). Clear errors for 403/404.
  Status CheckBucket(const std::string& bucket);

  /// For tests/metrics.
  uint64_t requests() const { return requests_; }  ///< HTTP requests sent, retries included
  uint64_t retries() const { return retries_; }    ///< requests that repeated a failed one

 private:
  struct Call;
  explicit S3Client(S3Options options);
  /// Signs and sends `call`, retrying retriable failures; a non-2xx final answer is a Status
  /// (404 on HEAD included, as kNotFound).
  Result<http::Response> Execute(const Call& call);
  Status PutMultipart(const std::string& bucket, const std::string& key, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& headers);
  std::chrono::milliseconds Backoff(int attempt);

  S3Options options_;
  struct EndpointState;
  std::unique_ptr<EndpointState> endpoint_;
  std::unique_ptr<http::HttpClient> http_;
  uint64_t requests_ = 0;
  uint64_t retries_ = 0;
  std::mt19937_64 jitter_;
};

}  // namespace rivven::s3
