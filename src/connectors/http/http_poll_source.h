#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "clients/http/http_client.h"
#include "connectors/connector.h"
#include "connectors/http/http_metrics.h"
#include "connectors/http/http_poll_config.h"

namespace rivven {

class Registry;

/// Registers the "http-poll" source.
void RegisterHttpPoll(Registry& registry);

namespace http {

/// Polls an HTTP endpoint every poll_interval: each poll requests every page (per pagination),
/// selects the records of each response with response_path, and emits one record per selected
/// JSON value (its compact JSON text; the key from key_path). Position, checkpointed after the
/// records before it are stored: {"cursor": last incremental value emitted, "etag": ETag of the
/// last fully emitted response, "seen": recent dedup ids}. A restart resumes with them: the
/// incremental parameter asks only for newer records, If-None-Match skips an unchanged
/// response, and dedup drops records emitted before.
///
/// Errors: 429 and 5xx, timeouts and connection failures are retriable (the runner retries
/// with backoff); other statuses and bodies that are not JSON are fatal, naming the URL
/// (without its query) and the status.
///
/// Owned by the source runner; all calls from its poll thread.
class HttpPollSource final : public Source {
 public:
  explicit HttpPollSource(HttpPollConfig config, ConnectorMetrics* metrics = nullptr);
  ~HttpPollSource() override;

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;

  uint64_t requests() const { return requests_; }

 private:
  struct Pending {
    Record record;
    std::optional<std::string> cursor;  ///< the record's incremental field
    std::optional<std::string> id;      ///< its dedup id
  };
  /// One poll: every page into pending_.
  Status FetchAll();
  std::string PositionText() const;
  void Remember(const std::string& id);

  HttpPollConfig config_;
  struct Paths;
  std::unique_ptr<Paths> paths_;  ///< parsed JSONPaths
  std::unique_ptr<HttpClient> client_;
  std::deque<Pending> pending_;
  std::optional<std::string> pending_etag_;  ///< becomes etag_ once pending_ is emitted
  std::optional<std::string> cursor_;
  std::optional<std::string> etag_;
  std::deque<std::string> seen_order_;
  std::unordered_set<std::string> seen_;
  std::chrono::steady_clock::time_point next_poll_{};
  uint64_t requests_ = 0;
  HttpMetrics metrics_;
};

}  // namespace http
}  // namespace rivven
