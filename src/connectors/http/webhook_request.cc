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

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max, std::mt19937_64& rng) {
  int64_t d = initial.count();
  for (int i = 1; i < retry && d < max.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, max.count());
  if (d <= 1) return std::chrono::milliseconds(d);
  std::uniform_int_distribution<int64_t> half(0, d / 2);
  return std::chrono::milliseconds(d - d / 2 + half(rng));
}

}  // namespace rivven::http
