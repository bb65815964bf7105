#include "runtime/source_runner.h"


#include "base/clock.h"
#include "base/log.h"
#include "runtime/state_dir.h"

#include <set>

namespace rivven {
namespace {
constexpr int kMaxSendRetries = 6;
}  // namespace

SourceRunner::SourceRunner(const PlannedSource& plan, Broker& broker, SourceRunnerOptions options,
                           Notifier& notifier)
    : plan_(plan),
      config_(plan.config),
      broker_(broker),
      options_(std::move(options)),
      status_(notifier, RunnerKind::kSource, plan.spec.name, plan.spec.connector),
      queue_(options_.queue_batches, options_.queue_bytes),
      errors_(plan.spec.errors, plan.spec.name, status_, broker) {}

SourceRunner::~SourceRunner() {
  RequestStop();
  Join();
}

void SourceRunner::Start() {
  status_.SetPhase(RunnerPhase::kRunning);
  poll_thread_ = std::jthread([this](std::stop_token st) { PollLoop(st); });
  send_thread_ = std::jthread([this] { SendLoop(); });
}

void SourceRunner::RequestStop() {
  if (poll_thread_.joinable()) poll_thread_.request_stop();
}

void SourceRunner::Join() {
  if (poll_thread_.joinable()) poll_thread_.join();
  if (send_thread_.joinable()) send_thread_.join();
}

Result<std::unique_ptr<Source>> SourceRunner::CreateAndOpen() {
  ConnectorContext ctx;
  ctx.name = plan_.spec.name;
  ctx.topic = plan_.spec.topic;
  ctx.errors = &errors_;
  ctx.metrics = &status_.connector_metrics;
  RC_ASSIGN_OR_RETURN(ctx.data_dir, ConnectorStateDir(options_.data_dir, plan_.spec.name));

  RC_ASSIGN_OR_RETURN(auto source, plan_.descriptor->make_source(config_.Current(), ctx));
  RC_ASSIGN_OR_RETURN(auto checkpoint, broker_.Checkpoints().Load(plan_.spec.name));
  if (checkpoint) {
    log::Info(plan_.spec.name, "resuming from checkpoint {}", *checkpoint);
  }
  RC_RETURN_IF_ERROR(source->Open(checkpoint).WithContext("opening source"));
  return source;
}

void SourceRunner::WaitInFlightDone(std::stop_token stop) {
  // A restart must resume exactly after what the send thread made durable, so it waits until
  // every pushed batch was produced and checkpointed (or the send side gave up).
  while (completed_.load() < pushed_.load() && !send_failed_.load() && !stop.stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void SourceRunner::HandBackDelivered(Source& source, std::vector<Record>& spent) {
  std::string ack;
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    ack.swap(ack_position_);
    spent.swap(spent_);
  }
  if (!ack.empty()) {
    Status s = source.Acknowledge(ack);
    if (!s.ok()) log::Warn(name(), "acknowledging position failed: {}", s.ToString());
  }
  if (!spent.empty()) {
    source.Recycle(spent);
    spent.clear();
  }
}

void SourceRunner::PollLoop(std::stop_token stop) {
  RestartPolicy policy(plan_.spec.name, options_.restart);
  std::unique_ptr<Source> source;
  bool failed = false;
  std::optional<RateLimiter> limiter;
  size_t max_records = options_.batch_records;
  if (plan_.spec.rate_limit.enabled()) {
    limiter.emplace(plan_.spec.rate_limit.events_per_second, plan_.spec.rate_limit.burst_capacity);
    max_records = std::min<size_t>(max_records, static_cast<size_t>(limiter->burst()));
  }
  std::set<std::string> warned_gauges;  // invalid gauge names already logged
  std::vector<Record> spent;            // delivered records, back from the send thread
  auto note_failure = [&](const Status& failure) {
    status_.errors++;
    status_.restarts++;
    status_.SetHealthy(false, failure.ToString());
  };

  std::unique_ptr<SourceLease> lease;
  bool waiting_logged = false;
  while (!stop.stop_requested() && !send_failed_.load()) {
    if (!lease) {
      auto leased = broker_.LeaseSource(plan_.spec.name);
      if (!leased.ok()) {
        note_failure(leased.status());
        if (!policy.ShouldRestart(leased.status(), stop)) {
          status_.SetPhase(RunnerPhase::kFailed, leased.status().WithContext("source '" + name() + "'"));
          failed = true;
          break;
        }
        continue;
      }
      lease = std::move(leased).value();
    }
    if (!lease->Held()) {
      if (source) {
        // Another process runs it now: hand over after what is in flight is checkpointed.
        log::Info(name(), "another process took over this source; stopping it here");
        WaitInFlightDone(stop);
        (void)source->Close();
        source.reset();
      }
      if (!waiting_logged) {
        log::Info(name(), "waiting for this source's lease (another process may run it)");
        waiting_logged = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    waiting_logged = false;
    if (config_.TakeRestartRequest() && source) {
      log::Info(name(), "restarting the source with its changed configuration (a secret changed)");
      WaitInFlightDone(stop);
      (void)source->Close();
      source.reset();
    }
    if (!source) {
      auto opened = CreateAndOpen();
      if (!opened.ok()) {
        note_failure(opened.status());
        if (!policy.ShouldRestart(opened.status(), stop)) {
          status_.SetPhase(RunnerPhase::kFailed, opened.status().WithContext("source '" + name() + "'"));
          failed = true;
          break;
        }
        continue;
      }
      source = std::move(opened).value();
    }

    HandBackDelivered(*source, spent);

    const auto polled_at = SteadyClock::now();
    auto polled = source->Poll(max_records, options_.poll_wait, stop);
    if (polled.ok() && plan_.chain && !polled->records.empty()) {
      // A record a transform rejects goes through on_error like bad source input; under
      // on_error: fail the batch fails and the source restarts from its checkpoint.
      Status rejected = ApplyTransforms(*polled);
      if (!rejected.ok()) polled = rejected;
    }
    if (polled.ok() && !polled->records.empty()) {
      // After the transforms: the limit applies to what would be produced.
      Status oversized = RejectOversized(polled->records, options_.limits.max_record_bytes,
                                         plan_.spec.topic, polled->position, errors_);
      if (!oversized.ok()) polled = oversized;
    }
    if (!polled.ok()) {
      const Status failure = polled.status();
      WaitInFlightDone(stop);
      (void)source->Close();
      source.reset();
      note_failure(failure);
      if (!policy.ShouldRestart(failure, stop)) {
        status_.SetPhase(RunnerPhase::kFailed, failure.WithContext("source '" + name() + "'"));
        failed = true;
        break;
      }
      continue;
    }
    SourceBatch batch = std::move(polled).value();
    const bool finished = batch.finished;
    if (!batch.records.empty()) {
      policy.Succeeded();
      status_.SetHealthy(true);
    }
    if (batch.progress) {
      status_.progress_done = batch.progress->done;
      status_.progress_total = batch.progress->total;
      status_.SetProgressUnit(batch.progress->unit);
    }
    if (!batch.gauges.empty()) {
      for (const std::string& invalid : status_.SetGauges(batch.gauges)) {
        if (warned_gauges.insert(invalid).second) {
          log::Warn(name(),
                    "ignoring gauge '{}': names must match [a-z_][a-z0-9_]* and not start "
                    "with connector_, source_ or build_",
                    invalid);
        }
      }
    }
    if (limiter && !batch.records.empty()) {
      const auto waited = limiter->Acquire(static_cast<int64_t>(batch.records.size()), stop);
      status_.throttled_ns += static_cast<uint64_t>(waited.count());
    }
    if (!batch.records.empty() || !batch.position.empty() || finished) {
      size_t bytes = 0;
      for (const auto& r : batch.records) bytes += r.ApproximateBytes();
      ++pushed_;
      if (!queue_.Push(Pending{std::move(batch), polled_at}, bytes)) {
        --pushed_;
        break;
      }
    }
    if (finished) break;
  }
  queue_.Close();  // the send thread sends what is queued, then ends
  if (failed) send_stop_.request_stop();
  if (source) {
    if (!failed) {
      // A stop or the end of a bounded run: the source learns what the last sends made durable
      // before it closes (a Kafka source commits its group's offsets there), so a restart does
      // not read again what was delivered. A default token is never stopped: this waits for
      // the sends themselves.
      WaitInFlightDone(std::stop_token());
      if (!send_failed_.load()) HandBackDelivered(*source, spent);
    }
    Status s = source->Close();
    if (!s.ok()) log::Warn(name(), "closing source: {}", s.ToString());
  }
}

Status SourceRunner::ApplyTransforms(SourceBatch& batch) {
  std::vector<transforms::TransformChain::Failure> failures;
  std::vector<Record> rejected;
  plan_.chain->Apply(batch.records, plan_.spec.topic, &failures, &rejected);
  for (size_t i = 0; i < failures.size(); ++i) {
    RejectedRecord r;
    if (i < rejected.size()) {
      r.key = std::move(rejected[i].key);
      r.value = std::move(rejected[i].value);
      r.headers = std::move(rejected[i].headers);
    }
    r.reason = failures[i].error.message();
    r.position = batch.position;
    RC_RETURN_IF_ERROR(errors_.Reject(r));
  }
  return Status::Ok();
}

Status SourceRunner::EnsureRoutedTopics(const std::vector<Record>& records) {
  for (const auto& r : records) {
    if (r.topic.empty() || known_topics_.count(r.topic) > 0) continue;
    auto info = broker_.DescribeTopic(r.topic);
    if (info.ok()) {
      known_topics_.insert(r.topic);
      continue;
    }
    if (info.status().code() != StatusCode::kNotFound) return info.status();
    const auto& ts = options_.topic_settings;
    if (!ts.auto_create) {
      return Status::FailedPrecondition("topic '" + r.topic +
                                        "' chosen by a transform or the source does not exist and "
                                        "settings.topic.auto_create is off");
    }
    TopicSpec spec;
    spec.partitions = ts.default_partitions;
    Status created = broker_.CreateTopic(r.topic, spec);
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
    log::Info(name(), "created topic '{}' with {} partition(s) for routed records", r.topic,
              spec.partitions);
    known_topics_.insert(r.topic);
  }
  return Status::Ok();
}

Status SourceRunner::SendDurably(std::vector<Record>& records, const std::string& position) {
  Backoff& backoff = send_backoff_;
  backoff.Reset();
  auto stop = send_stop_.get_token();
  if (!records.empty()) {
    RC_RETURN_IF_ERROR(EnsureRoutedTopics(records));  // chosen by a transform or the source
    while (true) {
      Status s = producer_->Send(plan_.spec.topic, records);
      if (s.ok()) break;
      // A full disk or a busy broker may clear up; a few retries, then the run fails loudly
      // (nothing is lost: the checkpoint still points before these records).
      if (!s.retriable() || stop.stop_requested() || backoff.attempts() >= kMaxSendRetries) return s;
      status_.retries++;
      status_.SetHealthy(false, s.ToString());
      const auto delay = backoff.Next();
      log::Warn(name(), "producing to '{}' failed: {}; retrying in {} ms", plan_.spec.topic,
                s.ToString(), delay.count());
      SleepFor(delay, stop);
    }
  }
  if (!position.empty()) {
    backoff.Reset();
    while (true) {
      Status s = broker_.Checkpoints().Save(plan_.spec.name, position);
      if (s.ok()) break;
      if (!s.retriable() || stop.stop_requested() || backoff.attempts() >= kMaxSendRetries) {
        return s.WithContext("saving checkpoint");
      }
      SleepFor(backoff.Next(), stop);
    }
    status_.SetPosition(position);
    std::lock_guard<std::mutex> lock(ack_mu_);
    ack_position_ = position;
  }
  return Status::Ok();
}

void SourceRunner::SendLoop() {
  auto producer = broker_.NewProducer();
  if (!producer.ok()) {
    status_.SetPhase(RunnerPhase::kFailed, producer.status().WithContext("source '" + name() + "'"));
    send_failed_ = true;
    queue_.Close();
    return;
  }
  producer_ = std::move(producer).value();

  bool finished = false;
  std::vector<Record> records;
  while (true) {
    auto item = queue_.Pop(std::chrono::milliseconds(200));
    if (!item) {
      if (queue_.closed_and_empty()) break;
      continue;
    }
    // Merge whatever else is already waiting into one durable Send: under load the batches
    // grow while an fsync runs, which is what makes group commit pay off.
    uint64_t merged = 1;
    const auto polled_at = item->polled_at;
    records = std::move(item->batch.records);
    std::string position = std::move(item->batch.position);
    finished = finished || item->batch.finished;
    size_t merged_bytes = 0;
    for (const auto& r : records) merged_bytes += r.ApproximateBytes();
    if (queue_.size() > 0) records.reserve(options_.max_send_records);
    while (records.size() < options_.max_send_records && merged_bytes < options_.max_send_bytes) {
      auto more = queue_.TryPop();
      if (!more) break;
      ++merged;
      for (auto& r : more->batch.records) {
        merged_bytes += r.ApproximateBytes();
        records.push_back(std::move(r));
      }
      if (!more->batch.position.empty()) position = std::move(more->batch.position);
      finished = finished || more->batch.finished;
    }
    const size_t n = records.size();
    uint64_t bytes = 0;
    for (const auto& r : records) bytes += r.value ? r.value->size() : 0;
    Status s = SendDurably(records, position);
    if (!s.ok()) {
      status_.SetPhase(RunnerPhase::kFailed, s.WithContext("source '" + name() + "'"));
      send_failed_ = true;
      queue_.Close();
      completed_ += merged;
      return;
    }
    {
      // Handed back instead of freed here: the poll thread allocated them.
      std::lock_guard<std::mutex> lock(ack_mu_);
      if (spent_.empty()) {
        spent_.swap(records);
      } else {
        for (auto& r : records) spent_.push_back(std::move(r));
      }
    }
    records.clear();
    status_.records += n;
    status_.bytes += bytes;
    status_.SetHealthy(true);
    status_.batch_latency.Observe(
        std::chrono::duration<double>(SteadyClock::now() - polled_at).count());
    completed_ += merged;
  }
  if (status_.phase() != RunnerPhase::kFailed) {
    status_.SetPhase(finished ? RunnerPhase::kFinished : RunnerPhase::kStopped);
  }
}

}  // namespace rivven
