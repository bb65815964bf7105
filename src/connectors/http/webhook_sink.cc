#include "connectors/http/webhook_sink.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "base/log.h"
#include "clients/http/retry_after.h"
#include "connectors/http/webhook_request.h"
#include "connectors/registry.h"
#include "formats/compression.h"

namespace rivven {
namespace http {
namespace {

constexpr std::string_view kLog = "http-webhook";

bool HasHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

}  // namespace

WebhookSink::WebhookSink(WebhookConfig config, RecordErrorHandler* errors,
                         ConnectorMetrics* metrics)
    : config_(std::move(config)), errors_(errors), metrics_(metrics) {}

WebhookSink::~WebhookSink() { senders_.reset(); }

uint64_t WebhookSink::connections_opened() const {
  uint64_t n = 0;
  for (const auto& c : clients_) n += c->connections_opened();
  return n;
}

Status WebhookSink::Open() {
  ClientOptions o;
  o.verify_tls = config_.verify_tls;
  o.ca_path = config_.ca_path;
  o.owner = config_.tls_owner;
  senders_.reset();
  clients_.clear();
  rngs_.clear();
  std::random_device seed;
  for (int64_t i = 0; i < config_.max_in_flight; ++i) {
    RC_ASSIGN_OR_RETURN(auto client, HttpClient::Create(o));
    clients_.push_back(std::move(client));
    rngs_.emplace_back(seed());
  }
  lanes_.clear();
  // Requests encoded ahead of the senders, bounded by records so that memory is too.
  constexpr size_t kAheadRecords = 8192;
  const size_t ahead = std::clamp<size_t>(kAheadRecords / static_cast<size_t>(config_.batch_size),
                                          2 * clients_.size(), 256);
  senders_ = std::make_unique<OrderedLanes>(clients_.size(), ahead);
  return Status::Ok();
}

Status WebhookSink::Write(const std::vector<ConsumedRecord>& records) {
  const auto batch = static_cast<size_t>(config_.batch_size);
  Lane* lane = nullptr;
  const std::pair<std::string, int32_t>* key = nullptr;
  for (const ConsumedRecord& r : records) {
    if (lane == nullptr || key->second != r.partition || key->first != r.topic) {
      auto [it, added] = lanes_.try_emplace({r.topic, r.partition});
      if (added) it->second.id = senders_->AddLane();
      lane = &it->second;
      key = &it->first;
    }
    if (lane->filling.empty()) lane->filling.reserve(batch);
    lane->filling.push_back(r);
    if (lane->filling.size() >= batch) Dispatch(*lane);
  }
  return Status::Ok();
}

void WebhookSink::Dispatch(Lane& lane) {
  auto prepared = std::make_unique<Prepared>(Prepare(std::move(lane.filling)));
  lane.filling.clear();
  senders_->Push(lane.id, [this, &lane, p = std::move(prepared)](size_t worker) {
    Outcome o = Deliver(*clients_[worker], *p, rngs_[worker]);
    const bool failed = !o.failure.ok();
    if (failed || !o.rejected.empty()) lane.outcomes.push_back(std::move(o));
    return !failed;  // the partition's later requests must not overtake this one
  });
}

WebhookSink::Prepared WebhookSink::Prepare(std::vector<ConsumedRecord> records) const {
  Prepared p;
  std::string body = BuildBody(records, config_.batch_format, config_.batch_size == 1);
  p.records = std::move(records);
  Request& request = p.request;
  request.method = config_.method;
  request.url = config_.url;
  request.timeout = config_.timeout;
  request.headers = config_.headers;
  if (!HasHeader(request.headers, "Content-Type")) {
    request.headers.emplace_back("Content-Type",
                                 config_.batch_size > 1 && config_.batch_format == BatchFormat::kNdjson
                                     ? "application/x-ndjson"
                                     : "application/json");
  }
  if (!config_.signing_secret.empty()) {
    request.headers.emplace_back(config_.signature_header, SignatureOf(config_.signing_secret, body));
  }
  if (config_.gzip) {
    auto compressed = formats::Compress(formats::Compression::kGzip, body);
    if (!compressed.ok()) {
      p.failure = compressed.status();
      return p;
    }
    request.body = std::move(*compressed);
    request.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    request.body = std::move(body);
  }
  return p;
}

WebhookSink::Outcome WebhookSink::Deliver(HttpClient& client, Prepared& prepared,
                                          std::mt19937_64& rng) {
  Outcome out;
  if (!prepared.failure.ok()) {
    out.failure = prepared.failure;
    return out;
  }
  std::vector<ConsumedRecord>& records = prepared.records;
  const Request& request = prepared.request;
  bool maybe_received = false;  // an earlier try may have reached the endpoint
  for (int attempt = 1;; ++attempt) {
    out.attempts = attempt;
    counters_.requests++;
    if (attempt > 1) {
      counters_.retries++;
      metrics_.Retry();
    }
    const auto sent_at = std::chrono::steady_clock::now();
    auto response = client.Send(request);
    metrics_.Request(response.ok() ? response->status : 0,
                     std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - sent_at));
    std::optional<std::chrono::milliseconds> wait;
    std::string why;
    if (!response.ok()) {
      counters_.transport_errors++;
      if (!response.status().retriable()) {
        out.failure = response.status();
        return out;
      }
      why = response.status().message();
      maybe_received = true;
    } else {
      const long status = response->status;
      if (status >= 200 && status < 300) {
        counters_.status_2xx++;
        if (maybe_received) {
          counters_.maybe_duplicated += records.size();
          metrics_.PossibleDuplicates(records.size());
        }
        return out;
      }
      (status >= 500 ? counters_.status_5xx : counters_.status_4xx)++;
      const std::string excerpt = response->body.substr(0, 200);
      why = "HTTP " + std::to_string(status) + " from " + RedactedUrl(config_.url) +
            (excerpt.empty() ? "" : ": " + excerpt);
      if (!IsRetriableStatus(status)) {
        out.rejected = std::move(records);
        out.rejected_reason = why;
        return out;
      }
      if (status == 429 || status == 503) {
        if (auto ra = response->Header("retry-after")) {
          wait = ParseRetryAfter(*ra, std::chrono::system_clock::now());
        }
      }
    }
    if (attempt >= config_.retry.max_attempts) {
      out.failure = Status::Unavailable(why + " (after " + std::to_string(attempt) + " tries)");
      return out;
    }
    const auto delay = wait ? std::min(*wait, config_.retry.max_backoff)
                            : BackoffDelay(attempt, config_.retry.initial_backoff,
                                           config_.retry.max_backoff, rng);
    log::Warn(kLog, "{}; try {} of {} in {} ms", why, attempt + 1, config_.retry.max_attempts,
              delay.count());
    std::this_thread::sleep_for(delay);
  }
}

Status WebhookSink::Flush() {
  for (auto& [tp, lane] : lanes_) {
    if (!lane.filling.empty()) Dispatch(lane);
  }
  senders_->Wait();
  Status first_failure;
  for (auto& [tp, lane] : lanes_) {
    for (const Outcome& o : lane.outcomes) {
      if (!o.failure.ok() && first_failure.ok()) first_failure = o.failure;
      for (const ConsumedRecord& r : o.rejected) {
        counters_.rejected++;
        if (errors_ == nullptr) {
          if (first_failure.ok()) first_failure = Status::FailedPrecondition(o.rejected_reason);
          continue;
        }
        if (Status s = errors_->Reject(RejectedSinkRecord(r, o.rejected_reason, o.attempts));
            !s.ok() && first_failure.ok()) {
          first_failure = s;
        }
      }
    }
    // Delivered, rejected, or to be replayed from the last commit after a failure.
    lane.outcomes.clear();
  }
  return first_failure;
}

Status WebhookSink::Close() {
  senders_.reset();  // requests not yet sent are dropped: the runner replays from its commit
  lanes_.clear();
  clients_.clear();
  return Status::Ok();
}

}  // namespace http

void RegisterHttpWebhook(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "http-webhook";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Sends records to an HTTP endpoint, one per request or batched as a JSON array or NDJSON; "
      "retries 5xx/408/429 with backoff (Retry-After honoured), permanent 4xx go by on_error; "
      "optional HMAC-SHA256 signing and gzip";
  d.schema = http::WebhookSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(http::WebhookConfig c, http::WebhookConfigFromBound(bound));
    return std::unique_ptr<Sink>(
        std::make_unique<http::WebhookSink>(std::move(c), context.errors, context.metrics));
  };
  // Reachability without side effects: a HEAD request; any HTTP answer (405 included) means the
  // endpoint is there and TLS checks out.
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(http::WebhookConfig c, http::WebhookConfigFromBound(bound));
    http::ClientOptions o;
    o.verify_tls = c.verify_tls;
    o.ca_path = c.ca_path;
    o.owner = c.tls_owner;
    RC_ASSIGN_OR_RETURN(auto client, http::HttpClient::Create(o));
    http::Request r;
    r.method = "HEAD";
    r.url = c.url;
    r.headers = c.headers;
    r.timeout = c.timeout;
    return client->Send(r).status();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
