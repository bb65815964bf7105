#include "runtime/sink_runner.h"

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "runtime/state_dir.h"
#include "runtime/rate_limiter.h"

namespace rivven {

SinkRunner::SinkRunner(const PlannedSink& plan, Broker& broker, SinkRunnerOptions options,
                       Notifier& notifier)
    : plan_(plan),
      config_(plan.config),
      broker_(broker),
      options_(std::move(options)),
      status_(notifier, RunnerKind::kSink, plan.spec.name, plan.spec.connector),
      errors_(plan.spec.errors, plan.spec.name, status_, broker) {}

SinkRunner::~SinkRunner() {
  RequestStop();
  Join();
}

void SinkRunner::Start() {
  status_.SetPhase(RunnerPhase::kRunning);
  thread_ = std::jthread([this](std::stop_token st) { Loop(st); });
}

void SinkRunner::RequestStop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  std::lock_guard<std::mutex> lock(mu_);
  if (consumer_ != nullptr) consumer_->Wakeup();
}

void SinkRunner::SetDrainTarget(std::vector<TopicPartitionOffset> target) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::pair<std::string, int32_t>, Offset> m;
  for (auto& t : target) m[{t.topic, t.partition}] = t.offset;
  drain_target_ = std::move(m);
  if (consumer_ != nullptr) consumer_->Wakeup();
}

void SinkRunner::Reconfigure(config::BoundConfig config) {
  config_.Replace(std::move(config));
  std::lock_guard<std::mutex> lock(mu_);
  if (consumer_ != nullptr) consumer_->Wakeup();
}

void SinkRunner::Join() {
  if (thread_.joinable()) thread_.join();
}

Status SinkRunner::ApplyTransforms(std::vector<ConsumedRecord>& records) {
  std::vector<transforms::TransformChain::Failure> failures;
  std::vector<ConsumedRecord> rejected;
  plan_.chain->Apply(records, &failures, &rejected);
  for (size_t i = 0; i < failures.size(); ++i) {
    RejectedRecord r;
    if (i < rejected.size()) {
      ConsumedRecord& c = rejected[i];
      r.key = std::move(c.record.key);
      r.value = std::move(c.record.value);
      r.headers = std::move(c.record.headers);
      r.position = c.topic + "/" + std::to_string(c.partition) + "/" + c.offset.ToString();
    }
    r.reason = failures[i].error.message();
    RC_RETURN_IF_ERROR(errors_.Reject(r).WithContext("transforms"));
  }
  return Status::Ok();
}

void SinkRunner::UpdateLag(const std::vector<TopicPartitionOffset>& positions) {
  int64_t lag = 0;
  std::string text;
  for (const auto& topic : plan_.spec.topics) {
    auto info = broker_.DescribeTopic(topic);
    if (!info.ok()) continue;
    for (const auto& p : info->partitions) {
      Offset at = p.start_offset;
      for (const auto& pos : positions) {
        if (pos.topic == topic && pos.partition == p.partition) at = pos.offset;
      }
      lag += std::max<int64_t>(0, p.end_offset - at);
    }
  }
  for (const auto& pos : positions) {
    text += (text.empty() ? "" : ",") + pos.topic + "/" + std::to_string(pos.partition) + ":" +
            pos.offset.ToString();
  }
  status_.lag = lag;
  status_.SetPosition(std::move(text));
}

bool SinkRunner::DrainTargetReached(const std::vector<TopicPartitionOffset>& positions) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!drain_target_) return false;
  for (const auto& [tp, end] : *drain_target_) {
    bool reached = end.value() == 0;
    for (const auto& p : positions) {
      if (p.topic == tp.first && p.partition == tp.second) {
        reached = p.offset >= end;
        break;
      }
    }
    if (!reached) return false;
  }
  return true;
}

std::pair<SinkRunner::Outcome, Status> SinkRunner::RunOnce(std::stop_token stop) {
  auto consumer_or = broker_.NewConsumer(plan_.spec.consumer_group, plan_.spec.topics);
  if (!consumer_or.ok()) {
    Status s = consumer_or.status();
    // A topic that does not exist yet may still be created; keep waiting for it.
    if (s.code() == StatusCode::kNotFound) s = s.WithDisposition(Disposition::kRetriable);
    return {Outcome::kFailed, s.WithContext("subscribing")};
  }
  std::unique_ptr<Consumer> consumer = std::move(consumer_or).value();

  ConnectorContext ctx;
  ctx.name = plan_.spec.name;
  ctx.topics = plan_.spec.topics;
  ctx.errors = &errors_;
  ctx.metrics = &status_.connector_metrics;
  auto state_dir = ConnectorStateDir(options_.data_dir, plan_.spec.name);
  if (!state_dir.ok()) return {Outcome::kFailed, state_dir.status()};
  ctx.data_dir = std::move(state_dir).value();

  auto sink_or = plan_.descriptor->make_sink(config_.Current(), ctx);
  if (!sink_or.ok()) return {Outcome::kFailed, sink_or.status()};
  std::unique_ptr<Sink> sink = std::move(sink_or).value();
  if (Status s = sink->Open(); !s.ok()) return {Outcome::kFailed, s.WithContext("opening sink")};

  {
    std::lock_guard<std::mutex> lock(mu_);
    consumer_ = consumer.get();
  }
  struct Detach {
    SinkRunner* self;
    ~Detach() {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->consumer_ = nullptr;
    }
  } detach{this};

  size_t pending = 0;          ///< records polled since the last commit (incl. filtered ones)
  size_t pending_written = 0;  ///< of those, records handed to the sink
  uint64_t pending_bytes = 0;
  auto last_flush = SteadyClock::now();
  auto last_lag = SteadyClock::time_point{};
  std::optional<SteadyClock::time_point> batch_start;
  bool held = false;  ///< the last commit stopped short of a record the sink holds
  // everything: FlushAll (stopping, or the end of a bounded run), nothing held back.
  auto flush_and_commit = [&](bool everything = false) -> Status {
    if (pending == 0 && !held) return Status::Ok();
    RC_RETURN_IF_ERROR((everything ? sink->FlushAll() : sink->Flush()).WithContext("flushing sink"));
    const auto positions = consumer->Positions();
    std::vector<TopicPartitionOffset> commit = positions;
    held = false;
    for (TopicPartitionOffset& p : commit) {
      if (auto first = sink->FirstHeld(p.topic, p.partition); first && *first < p.offset) {
        p.offset = *first;
        held = true;
      }
    }
    RC_RETURN_IF_ERROR(consumer->Commit(commit).WithContext("committing offsets"));
    status_.records += pending_written;
    status_.bytes += pending_bytes;
    if (batch_start) {
      status_.batch_latency.Observe(
          std::chrono::duration<double>(SteadyClock::now() - *batch_start).count());
    }
    batch_start.reset();
    status_.SetHealthy(true);
    pending = 0;
    pending_written = 0;
    pending_bytes = 0;
    last_flush = SteadyClock::now();
    UpdateLag(positions);
    last_lag = last_flush;
    return Status::Ok();
  };
  std::optional<RateLimiter> limiter;
  size_t poll_records = options_.poll_records;
  if (plan_.spec.rate_limit.enabled()) {
    limiter.emplace(plan_.spec.rate_limit.events_per_second, plan_.spec.rate_limit.burst_capacity);
    poll_records = std::min<size_t>(poll_records, static_cast<size_t>(limiter->burst()));
  }

  PollSize poll_size(options_.limits.max_batch_bytes);
  while (true) {
    if (stop.stop_requested()) {
      Status s = flush_and_commit(/*everything=*/true);
      (void)sink->Close();
      return {s.ok() ? Outcome::kStopped : Outcome::kFailed, s};
    }
    if (config_.TakeRestartRequest()) {
      log::Info(name(), "restarting the sink with its changed configuration (a secret changed)");
      Status s = flush_and_commit(/*everything=*/true);
      (void)sink->Close();
      return {s.ok() ? Outcome::kReconfigured : Outcome::kFailed, s};
    }
    if (pending == 0 && DrainTargetReached(consumer->Positions())) {
      Status s = flush_and_commit(/*everything=*/true);
      if (Status c = sink->Close(); s.ok()) s = c;
      return {s.ok() ? Outcome::kDrained : Outcome::kFailed, s};
    }
    const size_t poll_request = poll_size.Records(poll_records);
    auto polled = consumer->Poll(poll_request, options_.poll_wait);
    if (!polled.ok()) {
      (void)sink->Close();
      return {Outcome::kFailed, polled.status().WithContext("polling")};
    }
    std::vector<ConsumedRecord>& records = *polled;
    const size_t polled_count = records.size();
    if (!records.empty()) {
      if (Status s = RejectOversized(records, options_.limits.max_record_bytes, errors_); !s.ok()) {
        (void)sink->Close();
        return {Outcome::kFailed, s.WithContext("settings.limits")};
      }
    }
    if (plan_.chain && !records.empty()) {
      if (Status s = ApplyTransforms(records); !s.ok()) {
        (void)sink->Close();
        return {Outcome::kFailed, s};
      }
    }
    if (!records.empty()) {
      if (limiter) {
        const auto waited = limiter->Acquire(static_cast<int64_t>(records.size()), stop);
        status_.throttled_ns += static_cast<uint64_t>(waited.count());
      }
      if (!batch_start) batch_start = SteadyClock::now();
      if (Status s = WriteInRuns(*sink, records, options_.limits.max_batch_bytes); !s.ok()) {
        (void)sink->Close();
        return {Outcome::kFailed, s.WithContext("writing")};
      }
      pending_written += records.size();
      size_t polled_bytes = 0;
      for (const auto& r : records) {
        pending_bytes += r.record.value ? r.record.value->size() : 0;
        polled_bytes += PayloadBytes(r.record);
      }
      poll_size.Observe(records.size(), polled_bytes);
    }
    consumer->Recycle(records);  // written: the consumer may decode the next ones into them
    pending += polled_count;
    const bool caught_up = polled_count < poll_request;
    if (SteadyClock::now() - last_lag >= std::chrono::seconds(1)) {
      UpdateLag(consumer->Positions());
      last_lag = SteadyClock::now();
    }
    // A sink holding records (FirstHeld) writes them on its own clock (e.g. a batch timeout), so
    // it is flushed while idle too; otherwise they would wait for the next record or the stop.
    const bool flush_due = SteadyClock::now() - last_flush >= options_.flush_interval;
    if ((pending > 0 && (caught_up || pending >= options_.flush_records || flush_due)) ||
        (pending == 0 && held && flush_due)) {
      if (Status s = flush_and_commit(); !s.ok()) {
        (void)sink->Close();
        return {Outcome::kFailed, s};
      }
    }
  }
}

void SinkRunner::Loop(std::stop_token stop) {
  RestartPolicy policy(plan_.spec.name, options_.restart);
  while (true) {
    const uint64_t records_before = status_.records.load();
    auto [outcome, status] = RunOnce(stop);
    if (status_.records.load() != records_before) policy.Succeeded();
    if (outcome == Outcome::kDrained) {
      status_.SetPhase(RunnerPhase::kFinished);
      return;
    }
    if (outcome == Outcome::kStopped) {
      status_.SetPhase(RunnerPhase::kStopped);
      return;
    }
    if (outcome == Outcome::kReconfigured) continue;
    status_.restarts++;
    status_.errors++;
    status_.SetHealthy(false, status.ToString());
    if (stop.stop_requested() || !policy.ShouldRestart(status, stop)) {
      status_.SetPhase(RunnerPhase::kFailed, status.WithContext("sink '" + name() + "'"));
      return;
    }
  }
}

}  // namespace rivven
