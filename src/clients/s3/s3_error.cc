#include "clients/s3/s3_error.h"

#include <algorithm>
#include <charconv>

#include "clients/s3/s3_xml.h"

namespace rivven::s3 {
namespace {

std::string DefaultCode(long http_status) {
  switch (http_status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return "";
  }
}

}  // namespace

ErrorBody ParseErrorBody(std::string_view xml) {
  ErrorBody e;
  const auto error = XmlElements(xml, "Error");
  if (error.empty()) return e;
  e.code = XmlText(error.front(), "Code").value_or("");
  e.message = XmlText(error.front(), "Message").value_or("");
  e.request_id = XmlText(error.front(), "RequestId").value_or("");
  return e;
}

bool IsRetriableAnswer(long http_status, std::string_view error_code) {
  if (http_status >= 500 || http_status == 429) return true;
  return error_code == "SlowDown" || error_code == "RequestTimeout" ||
         error_code == "InternalError" || error_code == "ServiceUnavailable" ||
         error_code == "Throttling" || error_code == "ThrottlingException" ||
         error_code == "OperationAborted";
}

Status AnswerStatus(std::string_view what, long http_status, const ErrorBody& error,
                    std::string_view bucket_region) {
  const std::string code = error.code.empty() ? DefaultCode(http_status) : error.code;
  std::string text = "S3 " + std::string(what) + ": HTTP " + std::to_string(http_status);
  if (!code.empty()) text += " " + code;
  if (!error.message.empty()) text += ": " + error.message;
  if (!error.request_id.empty()) text += " (request id " + error.request_id + ")";
  if (IsRetriableAnswer(http_status, code)) return Status::Unavailable(std::move(text));
  switch (http_status) {
    case 301:
    case 307:
      if (!bucket_region.empty()) {
        text += "; the bucket is in region " + std::string(bucket_region) +
                ": set region (or endpoint) to match";
      } else {
        text += "; the bucket is in another region than the one configured";
      }
      return Status::FailedPrecondition(std::move(text));
    case 401:
    case 403:
      if (code == "InvalidAccessKeyId") {
        text += "; check access_key_id (or AWS_ACCESS_KEY_ID)";
      } else if (code == "SignatureDoesNotMatch") {
        text += "; check secret_access_key (or AWS_SECRET_ACCESS_KEY) and the region";
      } else {
        text += "; the credentials may not use this bucket or key";
      }
      return Status::FailedPrecondition(std::move(text));
    case 404:
      return Status::NotFound(std::move(text));
    case 409:
    case 412:
      return Status::FailedPrecondition(std::move(text));
    default:
      return Status::InvalidArgument(std::move(text));
  }
}

}  // namespace rivven::s3
