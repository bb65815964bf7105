#include "runtime/pipeline.h"

#include <algorithm>

#include "base/log.h"
#include "runtime/topic_provisioner.h"

namespace rivven {
namespace {
constexpr std::string_view kLog = "pipeline";

RecordLimits Limits(const config::Limits& l) {
  return {static_cast<size_t>(l.max_record_bytes), static_cast<size_t>(l.max_batch_bytes)};
}
}

Pipeline::Pipeline(const PipelinePlan& plan, Broker& broker, PipelineOptions options)
    : plan_(plan), broker_(broker), options_(std::move(options)) {}

Pipeline::~Pipeline() { (void)StopAll(); }

void Pipeline::RequestStop() {
  stop_requested_ = true;
  notifier_.Notify();
}

std::vector<TopicPartitionOffset> Pipeline::EndOffsets(const std::vector<std::string>& topics) {
  std::vector<TopicPartitionOffset> out;
  for (const auto& t : topics) {
    auto info = broker_.DescribeTopic(t);
    if (!info.ok()) continue;  // a topic nobody wrote: nothing to drain
    for (const auto& p : info->partitions) out.push_back({t, p.partition, p.end_offset});
  }
  return out;
}

std::vector<RunnerStatus*> Pipeline::Statuses() {
  std::lock_guard<std::mutex> lock(started_mu_);
  std::vector<RunnerStatus*> out;
  if (!started_) return out;
  for (auto& s : sources_) out.push_back(&s->status());
  for (auto& s : sinks_) out.push_back(&s->status());
  return out;
}

bool Pipeline::WaitStarted(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(started_mu_);
  return started_cv_.wait_for(lock, timeout, [&] { return started_; });
}

bool Pipeline::Reconfigure(std::string_view name, config::BoundConfig config) {
  std::lock_guard<std::mutex> lock(started_mu_);
  if (!started_) return false;
  for (auto& s : sources_) {
    if (s->name() == name) {
      s->Reconfigure(std::move(config));
      return true;
    }
  }
  for (auto& s : sinks_) {
    if (s->name() == name) {
      s->Reconfigure(std::move(config));
      return true;
    }
  }
  return false;
}

Status Pipeline::StopAll() {
  for (auto& s : sources_) s->RequestStop();
  for (auto& s : sources_) s->Join();
  for (auto& s : sinks_) s->RequestStop();
  for (auto& s : sinks_) s->Join();
  Status first;
  for (auto& s : sources_) {
    if (s->status().phase() == RunnerPhase::kFailed && first.ok()) first = s->status().error();
  }
  for (auto& s : sinks_) {
    if (s->status().phase() == RunnerPhase::kFailed && first.ok()) first = s->status().error();
  }
  return first;
}

Status Pipeline::Run() {
  RC_RETURN_IF_ERROR(ProvisionTopics(plan_, broker_, options_.embedded_broker));

  for (const auto& s : plan_.sinks) {
    if (!s.spec.enabled) {
      log::Info(kLog, "sink '{}' is disabled", s.spec.name);
      continue;
    }
    SinkRunnerOptions sink_options = options_.sink;
    sink_options.limits = Limits(plan_.config.settings.limits);
    sinks_.push_back(std::make_unique<SinkRunner>(s, broker_, sink_options, notifier_));
  }
  for (const auto& s : plan_.sources) {
    if (!s.spec.enabled) {
      log::Info(kLog, "source '{}' is disabled", s.spec.name);
      continue;
    }
    SourceRunnerOptions source_options = options_.source;
    source_options.topic_settings = plan_.config.settings.topic;
    source_options.limits = Limits(plan_.config.settings.limits);
    source_options.queue_bytes = std::min(source_options.queue_bytes, source_options.limits.max_batch_bytes);
    source_options.max_send_bytes =
        std::min(source_options.max_send_bytes, source_options.limits.max_batch_bytes);
    sources_.push_back(std::make_unique<SourceRunner>(s, broker_, source_options, notifier_));
  }
  if (sources_.empty() && sinks_.empty()) {
    log::Warn(kLog, "no enabled sources or sinks: nothing to run");
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> lock(started_mu_);
    started_ = true;
  }
  started_cv_.notify_all();
  for (auto& s : sinks_) s->Start();
  for (auto& s : sources_) s->Start();
  log::Info(kLog, "running {} source(s) and {} sink(s)", sources_.size(), sinks_.size());

  bool draining = false;
  uint64_t seen = notifier_.generation();
  while (true) {
    if (stop_requested_) {
      log::Info(kLog, "stopping: sources stop, sinks flush and commit");
      return StopAll();
    }
    bool any_failed = false;
    bool sources_finished = !sources_.empty();
    for (auto& s : sources_) {
      const RunnerPhase p = s->status().phase();
      any_failed = any_failed || p == RunnerPhase::kFailed;
      sources_finished = sources_finished && p == RunnerPhase::kFinished;
    }
    bool sinks_finished = true;
    for (auto& s : sinks_) {
      const RunnerPhase p = s->status().phase();
      any_failed = any_failed || p == RunnerPhase::kFailed;
      sinks_finished = sinks_finished && p == RunnerPhase::kFinished;
    }
    if (any_failed) {
      Status s = StopAll();
      log::Error(kLog, "stopped after a failure: {}", s.ToString());
      return s;
    }
    if (sources_finished && !draining) {
      // Everything the sources produced is durable now; the sinks finish once they have
      // written and committed up to these end offsets.
      draining = true;
      log::Info(kLog, "all sources finished; draining sinks");
      for (auto& s : sinks_) s->SetDrainTarget(EndOffsets(s->plan().spec.topics));
    }
    if (draining && sinks_finished) {
      uint64_t total = 0;
      for (auto& s : sources_) total += s->status().records.load();
      log::Info(kLog, "bounded run complete: {} record(s) produced", total);
      return StopAll();
    }
    seen = notifier_.WaitFor(seen, std::chrono::milliseconds(500));
  }
}

}  // namespace rivven
