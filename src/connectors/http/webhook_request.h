#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clients/http/backoff.h"
#include "connectors/http/webhook_config.h"
#include "record/record.h"

// The pieces of one webhook request and of its retries, pure and unit-tested.
namespace rivven::http {

/// The body for `records`: one record's value as a JSON document when `single`, else a JSON
/// array of the values (or one value per line for NDJSON). Values that are not JSON become
/// JSON strings; null values become null.
std::string BuildBody(std::span<const ConsumedRecord> records, BatchFormat format,
                      bool single);

/// "sha256=" + the lower-case hex HMAC-SHA256 of `body` under `secret` (GitHub's format).
std::string SignatureOf(std::string_view secret, std::string_view body);

/// Whether a response status is worth another try: 408, 429 and 5xx. Other 4xx are the
/// request's fault and permanent; 2xx is done.
bool IsRetriableStatus(long status);


}  // namespace rivven::http
