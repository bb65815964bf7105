// Fuzz target of what we parse in HTTP answers: Link headers (http-poll pagination), Retry-After
// (webhook, S3, Snowflake), URLs from response bodies (next links), S3's XML answers (Error,
// ListObjectsV2, InitiateMultipartUpload, CompleteMultipartUpload) and Snowflake's JSON error
// bodies. Input: one byte that picks the HTTP status, then the header value or body, which every
// parser gets. None may crash; the checks below hold for any input.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "clients/http/http_url.h"
#include "clients/http/retry_after.h"
#include "clients/s3/s3_error.h"
#include "clients/s3/s3_xml.h"
#include "clients/snowflake/snowflake_error.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

/// `part` views bytes of `whole` (an empty one, as `<Contents/>` gives, may be any "").
bool Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void Links(const std::string& text) {
  static constexpr std::string_view kBase = "https://api.example.com/v1/items?page=1";
  if (std::optional<std::string> next = rivven::http::NextLink(text)) {
    (void)rivven::http::ResolveUrl(kBase, *next);
  }
  (void)rivven::http::ResolveUrl(kBase, text);
  (void)rivven::http::ResolveUrl(text, "next?page=2");
  Check(rivven::http::WithQueryParam(text, "page", "2").find("page=2") != std::string::npos);
  for (char c : rivven::http::UrlEncode(text)) Check(Unreserved(c) || c == '%');
}

void RetryAfter(const std::string& text) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  if (auto delay = rivven::http::ParseRetryAfter(text, now)) Check(delay->count() >= 0);
  if (auto capped = rivven::snowflake::CappedRetryAfter(text)) {
    Check(capped->count() >= 0 && *capped <= std::chrono::seconds(120));
  }
}

void S3Xml(const std::string& text, long status) {
  using namespace rivven::s3;
  const ErrorBody error = ParseErrorBody(text);
  const rivven::Status s = AnswerStatus("PUT s3://bucket/key", status, error, "eu-west-1");
  Check(!s.ok() && !s.message().empty());
  (void)IsRetriableAnswer(status, error.code);
  for (std::string_view contents : XmlElements(text, "Contents")) {
    Check(Inside(contents, text));
    for (const char* name : {"Key", "Size", "ETag", "LastModified"}) {
      for (std::string_view e : XmlElements(contents, name)) Check(Inside(e, contents));
      (void)XmlText(contents, name);
    }
  }
  for (const char* name : {"IsTruncated", "NextContinuationToken", "UploadId", "ETag", "Code"}) {
    (void)XmlText(text, name);
  }
  const std::string decoded = XmlDecode(text);
  Check(decoded.size() <= text.size());  // every escape is longer than what it stands for
  Check(XmlDecode(XmlEscape(text)) == text);
}

void SnowflakeJson(const std::string& text, long status) {
  using namespace rivven::snowflake;
  const ErrorBody error = ParseErrorBody(text);
  const rivven::Status s = AnswerStatus("SQL API POST /api/v2/statements", status, error);
  Check(!s.ok() && !s.message().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr long kStatuses[] = {200, 301, 400, 401, 403, 404, 408, 409,
                                       422, 429, 500, 502, 503, 504, 599, 0};
  const long status = kStatuses[data[0] % 16];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  Links(text);
  RetryAfter(text);
  S3Xml(text, status);
  SnowflakeJson(text, status);
  return 0;
}
