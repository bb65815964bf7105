#include "broker/embedded/embedded_consumer.h"

#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "broker/embedded/broker_core.h"
#include "broker/embedded/offsets_store.h"
#include "broker/embedded/partition_log.h"
#include "broker/embedded/partition_reader.h"
#include "broker/embedded/topic.h"

namespace rivven::embedded {

EmbeddedConsumer::EmbeddedConsumer(std::shared_ptr<BrokerCore> core, std::string group)
    : core_(std::move(core)), group_(std::move(group)) {}

EmbeddedConsumer::~EmbeddedConsumer() = default;

Result<std::unique_ptr<EmbeddedConsumer>> EmbeddedConsumer::Create(
    std::shared_ptr<BrokerCore> core, const std::string& group,
    const std::vector<std::string>& topics) {
  if (group.empty()) return Status::InvalidArgument("a consumer needs a group name");
  if (core->read_only()) {
    return Status::FailedPrecondition("consumer groups need a writable data dir");
  }
  std::unique_ptr<EmbeddedConsumer> c(new EmbeddedConsumer(core, group));
  for (const auto& name : topics) {
    Topic* t = core->FindTopic(name);
    if (t == nullptr) return Status::NotFound("topic '" + name + "' does not exist");
    for (int32_t p = 0; p < t->partition_count(); ++p) {
      PartitionLog* log = t->partition(p);
      Offset start = log->start_offset();
      if (auto committed = core->offsets().Committed(group, name, p)) {
        if (*committed < start) {
          log::Warn("broker",
                    "group {}: committed offset {} of {}/{} was deleted by retention; starting "
                    "at {}",
                    group, committed->value(), name, p, start.value());
        } else if (*committed > log->durable_end()) {
          log::Warn("broker",
                    "group {}: committed offset {} of {}/{} is past its end {}; "
                    "starting at the end",
                    group, committed->value(), name, p, log->durable_end().value());
          start = log->durable_end();
        } else {
          start = *committed;
        }
      }
      c->readers_.push_back(std::make_unique<PartitionReader>(log, start));
    }
  }
  return c;
}

bool EmbeddedConsumer::AnyData() const {
  for (const auto& r : readers_) {
    if (r->HasData()) return true;
  }
  return false;
}

Status EmbeddedConsumer::ReadRound(size_t max_records, std::vector<ConsumedRecord>* out) {
  const size_t n = readers_.size();
  if (n == 0) return Status::Ok();
  const size_t share = std::max<size_t>(1, max_records / n);
  // First pass: every partition up to its share; second: whoever still has data fills the rest.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n && out->size() < max_records; ++i) {
      PartitionReader& r = *readers_[(next_first_ + i) % n];
      if (!r.HasData()) continue;
      const size_t room = max_records - out->size();
      RC_RETURN_IF_ERROR(r.Read(pass == 0 ? std::min(share, room) : room, out, &spare_).status());
    }
  }
  next_first_ = (next_first_ + 1) % n;
  return Status::Ok();
}

Result<std::vector<ConsumedRecord>> EmbeddedConsumer::Poll(size_t max_records,
                                                           std::chrono::milliseconds max_wait) {
  std::vector<ConsumedRecord> out;
  if (max_records == 0) return out;
  const auto deadline = SteadyClock::now() + max_wait;
  while (true) {
    if (core_->closed()) return Status::Cancelled("the broker is closed");
    if (wakeup_.exchange(false, std::memory_order_acq_rel)) return out;
    RC_RETURN_IF_ERROR(ReadRound(max_records, &out));
    if (!out.empty() || SteadyClock::now() >= deadline) return out;
    core_->notifier().WaitUntil(deadline, [&] {
      return wakeup_.load(std::memory_order_acquire) || core_->closed() || AnyData();
    });
  }
}

void EmbeddedConsumer::Recycle(std::vector<ConsumedRecord>& spent) {
  constexpr size_t kMaxSpare = 16384;
  constexpr size_t kMaxValueBytes = 64 << 10;
  for (ConsumedRecord& r : spent) {
    if (spare_.size() >= kMaxSpare) break;
    const bool small = (!r.record.value || r.record.value->capacity() <= kMaxValueBytes) &&
                       (!r.record.key || r.record.key->capacity() <= kMaxValueBytes);
    if (small) spare_.push_back(std::move(r));
  }
  spent.clear();
}

Status EmbeddedConsumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (core_->closed()) return Status::Cancelled("the broker is closed");
  return core_->offsets().Commit(group_, offsets);
}

std::vector<TopicPartitionOffset> EmbeddedConsumer::Positions() const {
  std::vector<TopicPartitionOffset> out;
  out.reserve(readers_.size());
  for (const auto& r : readers_) {
    out.push_back({r->log()->topic(), r->log()->partition(), r->next()});
  }
  return out;
}

void EmbeddedConsumer::Wakeup() {
  wakeup_.store(true, std::memory_order_release);
  core_->notifier().NotifyAll();
}

}  // namespace rivven::embedded
