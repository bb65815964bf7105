#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::http {

enum class BatchFormat { kJsonArray, kNdjson };

/// The typed `config:` block of the http-webhook sink.
struct WebhookConfig {
  std::string url;
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t batch_size = 1;  ///< 1: one JSON document per request; more: an array (or NDJSON)
  BatchFormat batch_format = BatchFormat::kJsonArray;
  std::chrono::milliseconds timeout{30000};
  struct Retry {
    int64_t max_attempts = 3;  ///< tries of one request in all, the first included
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{30000};
  } retry;
  bool gzip = false;            ///< Content-Encoding: gzip request bodies
  std::string signing_secret;   ///< non-empty: HMAC-SHA256 of the body in signature_header
  std::string signature_header = "X-Rivven-Signature-256";
  int64_t max_in_flight = 1;    ///< requests at once (a partition's requests stay in order)
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  ///< the tls.verify key, named in the warning when it is false
};

config::Schema WebhookSchema();
Result<WebhookConfig> WebhookConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::http
