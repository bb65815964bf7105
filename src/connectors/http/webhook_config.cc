#include "connectors/http/webhook_config.h"

#include <cctype>

namespace rivven::http {

using config::Key;
using config::ValueType;

config::Schema WebhookSchema() {
  config::Schema s;
  s.Add(Key("url", ValueType::kString, "Webhook URL (http:// or https://).").Required());
  s.Add(Key("method", ValueType::kString, "HTTP method.")
            .Default("POST")
            .OneOf({"POST", "PUT", "PATCH"}));
  s.Add(Key("headers", ValueType::kStringMap,
            "Request headers (values may use ${VAR}); Content-Type defaults to "
            "application/json (application/x-ndjson for ndjson batches)."));
  s.Add(Key("batch_size", ValueType::kInt,
            "Records per request: 1 sends each record's value as the body; more sends a JSON "
            "array of values (or NDJSON, see batch_format).")
            .Default("1")
            .Min(1)
            .Max(100000));
  s.Add(Key("batch_format", ValueType::kString, "Body of a request of several records.")
            .Default("json_array")
            .OneOf({"json_array", "ndjson"}));
  s.Add(Key("timeout_secs", ValueType::kInt, "Deadline of one request, connection included.")
            .Default("30")
            .Min(1)
            .Max(3600));
  s.Add(Key("retry", ValueType::kObject,
            "Retries of 5xx, 408, 429, timeouts and connection failures, with exponential "
            "backoff and jitter; Retry-After on 429/503 is honoured.")
            .Child(Key("max_attempts", ValueType::kInt,
                       "Tries of one request in all (the first included); then the sink fails "
                       "and restarts from its last committed offsets.")
                       .Default("3")
                       .Min(1)
                       .Max(1000))
            .Child(Key("initial_backoff_ms", ValueType::kInt, "Wait before the first retry.")
                       .Default("1000")
                       .Min(0))
            .Child(Key("max_backoff_ms", ValueType::kInt, "Longest wait between tries.")
                       .Default("30000")
                       .Min(0)));
  s.Add(Key("compression", ValueType::kString, "Request body compression.")
            .Default("none")
            .OneOf({"none", "gzip"}));
  s.Add(Key("signing_secret", ValueType::kString,
            "When set, each request carries the HMAC-SHA256 of its (uncompressed) body, as "
            "sha256=<hex>, in signature_header.")
            .Secret());
  s.Add(Key("signature_header", ValueType::kString, "Header of the body's signature.")
            .Default("X-Rivven-Signature-256"));
  s.Add(Key("max_in_flight", ValueType::kInt,
            "Requests sent at once; the requests of one partition stay in order.")
            .Default("1")
            .Min(1)
            .Max(64));
  s.Add(Key("tls", ValueType::kObject, "TLS to the endpoint (verified unless turned off).")
            .Child(Key("ca_path", ValueType::kString,
                       "CA bundle (PEM) that signs the server's certificate; absent: the "
                       "system's trust store."))
            .Child(Key("verify", ValueType::kBool,
                       "Check the server's certificate and host name; false logs a warning.")
                       .Default("true")));
  return s;
}

Result<WebhookConfig> WebhookConfigFromBound(const config::BoundConfig& bound) {
  WebhookConfig c;
  c.url = bound.GetString("url");
  const std::string scheme = c.url.substr(0, c.url.find("://"));
  if (c.url.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    return Status::InvalidArgument(bound.path() + ".url: '" + c.url +
                                   "' is not an http:// or https:// URL");
  }
  c.method = bound.GetString("method");
  c.headers = bound.GetStringMap("headers");
  c.batch_size = bound.GetInt("batch_size");
  c.batch_format =
      bound.GetString("batch_format") == "ndjson" ? BatchFormat::kNdjson : BatchFormat::kJsonArray;
  c.timeout = std::chrono::seconds(bound.GetInt("timeout_secs"));
  const config::BoundConfig retry = bound.GetObject("retry");
  c.retry.max_attempts = retry.GetInt("max_attempts");
  c.retry.initial_backoff = std::chrono::milliseconds(retry.GetInt("initial_backoff_ms"));
  c.retry.max_backoff = std::chrono::milliseconds(retry.GetInt("max_backoff_ms"));
  if (c.retry.max_backoff < c.retry.initial_backoff) {
    return Status::InvalidArgument(bound.path() + ".retry.max_backoff_ms (" +
                                   std::to_string(c.retry.max_backoff.count()) +
                                   ") is below initial_backoff_ms (" +
                                   std::to_string(c.retry.initial_backoff.count()) + ")");
  }
  c.gzip = bound.GetString("compression") == "gzip";
  c.signing_secret = bound.GetString("signing_secret");
  c.signature_header = bound.GetString("signature_header");
  c.max_in_flight = bound.GetInt("max_in_flight");
  const config::BoundConfig tls = bound.GetObject("tls");
  c.verify_tls = tls.GetBool("verify");
  c.ca_path = tls.GetString("ca_path");
  c.tls_owner = tls.path() + ".verify";
  return c;
}

}  // namespace rivven::http
