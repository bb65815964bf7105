#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "clients/http/http_client.h"
#include "connectors/connector.h"
#include "connectors/http/http_metrics.h"
#include "base/ordered_lanes.h"
#include "connectors/http/webhook_config.h"

namespace rivven {

class Registry;

/// Registers the "http-webhook" sink.
void RegisterHttpWebhook(Registry& registry);

namespace http {

/// What the sink has done, for tests and metrics.
struct WebhookCounters {
  std::atomic<uint64_t> requests{0};        ///< requests sent, retries included
  std::atomic<uint64_t> retries{0};         ///< tries after the first
  std::atomic<uint64_t> status_2xx{0}, status_4xx{0}, status_5xx{0}, transport_errors{0};
  std::atomic<uint64_t> rejected{0};        ///< records handed to on_error (permanent 4xx)
  /// Records of requests retried after a timeout or a dropped connection, which the endpoint
  /// may have received already: the bound on duplicates.
  std::atomic<uint64_t> maybe_duplicated{0};
};

/// POSTs (or PUTs/PATCHes) records to a URL: `batch_size` records per request, in the order
/// of each partition (partitions in parallel up to `max_in_flight`). Write buffers; Flush sends
/// everything buffered and returns OK only when every request got a 2xx or was rejected:
/// 408, 429, 5xx, timeouts and connection failures are retried with exponential backoff and
/// jitter (Retry-After honoured on 429/503) up to retry.max_attempts tries, after which Flush
/// fails (retriable): the runner restarts the sink from the last committed offsets, so records
/// already delivered are sent again (at-least-once; counted in maybe_duplicated when a retry
/// followed a timeout or a dropped connection). Other 4xx are permanent: the request's records
/// go to on_error (skip, dlq, or fail).
///
/// Owned by the sink runner; Write/Flush/Close come from its thread. Write encodes each full
/// batch there and hands it to `max_in_flight` sender threads (OrderedLanes: one lane per
/// partition), so requests are on the wire while the runner reads the next records; Flush sends
/// what is left and waits for every request.
class WebhookSink final : public Sink {
 public:
  WebhookSink(WebhookConfig config, RecordErrorHandler* errors, ConnectorMetrics* metrics = nullptr);
  ~WebhookSink() override;

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

  const WebhookCounters& counters() const { return counters_; }
  uint64_t connections_opened() const;

 private:
  struct Outcome {
    Status failure;                       ///< retries exhausted or a fatal transport error
    std::vector<ConsumedRecord> rejected;  ///< permanent 4xx
    std::string rejected_reason;
    int attempts = 0;
  };
  /// One request, ready to send: its records and the request (body encoded, signed, gzipped).
  struct Prepared {
    std::vector<ConsumedRecord> records;
    Request request;
    Status failure;  ///< the body could not be made (compression)
  };
  /// A partition's requests: records not yet a full batch, and what its requests ended with
  /// (failures and rejections, written by the sender threads, read after OrderedLanes::Wait).
  struct Lane {
    size_t id = 0;
    std::vector<ConsumedRecord> filling;
    std::vector<Outcome> outcomes;
  };
  Prepared Prepare(std::vector<ConsumedRecord> records) const;
  /// Hands the lane's filled records to the senders as one request.
  void Dispatch(Lane& lane);
  /// Sends one prepared request with retries, on `client`.
  Outcome Deliver(HttpClient& client, Prepared& prepared, std::mt19937_64& rng);

  WebhookConfig config_;
  RecordErrorHandler* errors_;
  std::vector<std::unique_ptr<HttpClient>> clients_;  ///< one per request in flight
  std::vector<std::mt19937_64> rngs_;
  /// Per (topic, partition).
  std::map<std::pair<std::string, int32_t>, Lane> lanes_;
  WebhookCounters counters_;
  HttpMetrics metrics_;
  std::unique_ptr<OrderedLanes> senders_;  ///< last: its threads use everything above
};

}  // namespace http
}  // namespace rivven
