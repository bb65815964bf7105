#include "connectors/http/webhook_sink.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "base/log.h"
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

/// Requests of at least this many records are encoded ahead on a helper thread.
constexpr size_t kPipelineBatch = 8;

/// Prepares the requests of one partition, in order, on a thread of its own, at most kAhead
/// ahead of the sender. Destroying it (also before every request was taken) stops the thread.
class WebhookSink::PreparedPipeline {
 public:
  using PrepareFn = std::function<Prepared(size_t)>;
  PreparedPipeline(PrepareFn prepare, size_t records, size_t batch)
      : prepare_(std::move(prepare)), records_(records), batch_(batch) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PreparedPipeline() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  /// The next request, in order (waits for it).
  Prepared Take() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !ready_.empty(); });
    Prepared p = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return p;
  }

 private:
  static constexpr size_t kAhead = 4;
  void Run() {
    for (size_t i = 0; i < records_; i += batch_) {
      Prepared p = prepare_(i);
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || ready_.size() < kAhead; });
      if (stop_) return;
      ready_.push_back(std::move(p));
      cv_.notify_all();
    }
  }
  PrepareFn prepare_;
  const size_t records_, batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Prepared> ready_;
  bool stop_ = false;
  std::thread thread_;
};

WebhookSink::WebhookSink(WebhookConfig config, RecordErrorHandler* errors,
                         ConnectorMetrics* metrics)
    : config_(std::move(config)), errors_(errors), metrics_(metrics) {}

WebhookSink::~WebhookSink() = default;

uint64_t WebhookSink::connections_opened() const {
  uint64_t n = 0;
  for (const auto& c : clients_) n += c->connections_opened();
  return n;
}

Status WebhookSink::Open() {
  ClientOptions o;
  o.verify_tls = config_.verify_tls;
  o.ca_path = config_.ca_path;
  clients_.clear();
  rngs_.clear();
  std::random_device seed;
  for (int64_t i = 0; i < config_.max_in_flight; ++i) {
    RC_ASSIGN_OR_RETURN(auto client, HttpClient::Create(o));
    clients_.push_back(std::move(client));
    rngs_.emplace_back(seed());
  }
  return Status::Ok();
}

Status WebhookSink::Write(const std::vector<ConsumedRecord>& records) {
  std::vector<ConsumedRecord>* last = nullptr;
  const std::pair<std::string, int32_t>* last_key = nullptr;
  for (const ConsumedRecord& r : records) {
    if (last == nullptr || last_key->second != r.partition || last_key->first != r.topic) {
      auto it = pending_.try_emplace({r.topic, r.partition}).first;
      last = &it->second;
      last_key = &it->first;
    }
    last->push_back(r);
  }
  return Status::Ok();
}

WebhookSink::Prepared WebhookSink::Prepare(std::vector<const ConsumedRecord*> records) const {
  Prepared p;
  const std::string body = BuildBody(records, config_.batch_format, config_.batch_size == 1);
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
    request.body = body;
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
  const std::vector<const ConsumedRecord*>& records = prepared.records;
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
        out.rejected = records;
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

void WebhookSink::Work(HttpClient& client, std::vector<std::vector<ConsumedRecord>*>& queue,
                       std::atomic<size_t>& next, std::vector<Outcome>& outcomes,
                       std::mt19937_64& rng) {
  const auto batch = static_cast<size_t>(config_.batch_size);
  for (size_t q = next++; q < queue.size(); q = next++) {
    const std::vector<ConsumedRecord>& records = *queue[q];
    auto slice = [&](size_t i) {
      std::vector<const ConsumedRecord*> request;
      request.reserve(std::min(batch, records.size() - i));
      for (size_t j = i; j < std::min(records.size(), i + batch); ++j) request.push_back(&records[j]);
      return request;
    };
    // Batches of many records: the next body is encoded on a helper thread while this one is
    // on the wire (a handoff per request costs more than a one-record body).
    std::optional<PreparedPipeline> pipeline;
    if (batch >= kPipelineBatch && records.size() > batch) {
      pipeline.emplace([&, this](size_t i) { return Prepare(slice(i)); }, records.size(), batch);
    }
    for (size_t i = 0; i < records.size(); i += batch) {
      Prepared prepared = pipeline ? pipeline->Take() : Prepare(slice(i));
      Outcome o = Deliver(client, prepared, rng);
      const bool failed = !o.failure.ok();
      if (failed || !o.rejected.empty()) outcomes.push_back(std::move(o));
      if (failed) break;  // the partition's later requests must not overtake this one
    }
  }
}

Status WebhookSink::Flush() {
  if (pending_.empty()) return Status::Ok();
  std::vector<std::vector<ConsumedRecord>*> queue;
  for (auto& [tp, records] : pending_) queue.push_back(&records);
  std::atomic<size_t> next{0};
  const size_t workers = std::min(clients_.size(), queue.size());
  std::vector<std::vector<Outcome>> outcomes(workers);
  if (workers <= 1) {
    Work(*clients_[0], queue, next, outcomes[0], rngs_[0]);
  } else {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] { Work(*clients_[w], queue, next, outcomes[w], rngs_[w]); });
    }
    for (auto& t : threads) t.join();
  }
  Status first_failure;
  for (const auto& per_worker : outcomes) {
    for (const Outcome& o : per_worker) {
      if (!o.failure.ok() && first_failure.ok()) first_failure = o.failure;
      for (const ConsumedRecord* r : o.rejected) {
        counters_.rejected++;
        if (errors_ == nullptr) {
          if (first_failure.ok()) first_failure = Status::FailedPrecondition(o.rejected_reason);
          continue;
        }
        RejectedRecord rej;
        rej.key = r->record.key;
        rej.value = r->record.value;
        rej.headers = r->record.headers;
        rej.reason = o.rejected_reason;
        rej.position = r->topic + "/" + std::to_string(r->partition) + "/" +
                       std::to_string(r->offset.value());
        rej.attempts = o.attempts;
        if (Status s = errors_->Reject(rej); !s.ok() && first_failure.ok()) first_failure = s;
      }
    }
  }
  // Delivered, rejected, or to be replayed from the last commit after a failure.
  pending_.clear();
  return first_failure;
}

Status WebhookSink::Close() {
  pending_.clear();
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
