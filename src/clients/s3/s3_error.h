#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

// S3's error answers as Status values: one message format ("S3 PUT s3://bucket/key: HTTP 404
// NoSuchBucket: The specified bucket does not exist (request id ...)") and one classification.
// Messages never carry credentials, signatures or query strings.
namespace rivven::s3 {

/// The fields of an `<Error>` document (empty when the answer had no body, e.g. to HEAD).
struct ErrorBody {
  std::string code;  ///< "NoSuchBucket", "SlowDown", ...
  std::string message;
  std::string request_id;
};
ErrorBody ParseErrorBody(std::string_view xml);

/// Whether repeating the request may succeed: 5xx, 429, and the codes S3 sends for throttling
/// and its own hiccups (SlowDown, RequestTimeout, InternalError, ServiceUnavailable, ...)
/// whatever the HTTP status.
bool IsRetriableAnswer(long http_status, std::string_view error_code);

/// The Status for a failed answer. `what` names the request ("PUT s3://bucket/key").
/// 403 (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, ...) and 301 (wrong region:
/// `bucket_region` from x-amz-bucket-region, if sent) are kFailedPrecondition, 404 is kNotFound,
/// other 4xx kInvalidArgument: all fatal. Retriable answers are kUnavailable, retriable.
Status AnswerStatus(std::string_view what, long http_status, const ErrorBody& error,
                    std::string_view bucket_region = {});


}  // namespace rivven::s3
