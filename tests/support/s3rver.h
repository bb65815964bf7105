#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

// s3rver 3.7 (tests/peers/node_modules/s3rver, a fake S3 in Node.js) on a free loopback port
// with a data directory of its own, for tests of S3 clients and sinks. What it checks and what
// it does not: only the access key S3RVER (secret S3RVER) is known, other keys get 403
// InvalidAccessKeyId; SigV4 signatures and payload hashes are NOT verified (only V2 ones are),
// so signing is tested against AWS's vectors and curl instead (clients/s3/tests/sigv4_test.cc);
// x-amz-content-sha256 must be present. Multipart part sizes (S3's 5 MiB minimum) and part
// ETags in CompleteMultipartUpload are not checked. encoding-type=url is not implemented.
namespace rivven::testing {

class S3rver {
 public:
  static constexpr char kAccessKey[] = "S3RVER";
  static constexpr char kSecretKey[] = "S3RVER";
  static constexpr char kRegion[] = "us-east-1";

  /// Starts s3rver with `buckets` created (--configure-bucket) and waits until it accepts
  /// connections. Null with `*error` set when node or s3rver is missing (naming
  /// scripts/install-deps.sh) or it does not come up (with its log).
  static std::unique_ptr<S3rver> Start(const std::vector<std::string>& buckets, std::string* error);
  /// Stops the server (SIGTERM, then SIGKILL) and deletes its directory.
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  /// "http://127.0.0.1:<port>"
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  /// The server's stdout and stderr, for failure messages.
  std::string Log() const;

 private:
  S3rver() = default;
  int port_ = 0;
  std::string dir_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace rivven::testing
