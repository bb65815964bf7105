#include "connectors/http/webhook_request.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <ctime>

#include "record/json.h"

namespace rivven::http {

std::string BuildBody(std::span<const ConsumedRecord> records, BatchFormat format,
                      bool single) {
  std::string body;
  size_t bytes = 2;
  for (const ConsumedRecord& r : records) bytes += (r.record.value ? r.record.value->size() : 4) + 1;
  body.reserve(bytes);
  if (single && records.size() == 1) {
    json::AppendJsonOrString(body, records.front().record.value);
    return body;
  }
  if (format == BatchFormat::kNdjson) {
    for (const ConsumedRecord& r : records) {
      json::AppendJsonOrString(body, r.record.value);
      body += '\n';
    }
    return body;
  }
  body += '[';
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body += ',';
    json::AppendJsonOrString(body, records[i].record.value);
  }
  body += ']';
  return body;
}

std::string SignatureOf(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

bool IsRetriableStatus(long status) { return status == 408 || status == 429 || status >= 500; }

}  // namespace rivven::http
