#include "broker/embedded/embedded_producer.h"

#include "base/clock.h"
#include "broker/embedded/broker_core.h"
#include "broker/embedded/partition_log.h"
#include "broker/embedded/record_batch.h"
#include "broker/embedded/topic.h"
#include "record/partitioner.h"

namespace rivven::embedded {
namespace {

/// Encode buffers above this are released after a call, so one huge send does not pin memory.
/// Above the source runner's 4 MB sends, whose encoding (a little over 4 MiB, in a buffer that
/// grew to 5-9 MiB) would otherwise be freed and faulted in again on every send.
constexpr size_t kKeepBufferBytes = 16 << 20;
/// Half the batch framing limit, so a batch (< kTargetBatchBytes of small records plus one big
/// one) always stays below it.
constexpr size_t kMaxRecordBytes = static_cast<size_t>(kMaxBatchBytes / 2);
/// Encoded batches are appended once they reach this much (well inside a core's L2 cache).
constexpr size_t kAppendBytes = 1 << 20;

}  // namespace

EmbeddedProducer::EmbeddedProducer(std::shared_ptr<BrokerCore> core) : core_(std::move(core)) {}

EmbeddedProducer::~EmbeddedProducer() = default;

Result<Topic*> EmbeddedProducer::Lookup(const std::string& name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  Topic* t = core_->FindTopic(name);
  if (t == nullptr) return Status::NotFound("topic '" + name + "' does not exist");
  topics_.emplace(name, t);
  return t;
}

Result<EmbeddedProducer::TopicRouting*> EmbeddedProducer::RoutingFor(const std::string& name) {
  RC_ASSIGN_OR_RETURN(Topic * t, Lookup(name));
  for (size_t i = 0; i < routing_used_; ++i) {
    if (routing_[i].topic == t) return &routing_[i];
  }
  if (routing_used_ == routing_.size()) routing_.emplace_back();
  TopicRouting& r = routing_[routing_used_++];
  r.topic = t;
  r.sticky = t->NextStickyPartition();
  r.route_of.assign(static_cast<size_t>(t->partition_count()), -1);
  return &r;
}

Status EmbeddedProducer::RouteRecords(const std::string& topic,
                                      const std::vector<Record>& records) {
  TopicRouting* last = nullptr;
  const std::string* last_name = nullptr;
  for (const Record& r : records) {
    const std::string& name = r.topic.empty() ? topic : r.topic;
    if (last == nullptr || (last_name != &name && *last_name != name)) {
      RC_ASSIGN_OR_RETURN(last, RoutingFor(name));
      last_name = &name;
    }
    const int32_t p =
        r.key ? PartitionForKey(*r.key, last->topic->partition_count()) : last->sticky;
    int32_t& idx = last->route_of[static_cast<size_t>(p)];
    if (idx < 0) {
      if (routes_used_ == routes_.size()) routes_.emplace_back();
      idx = static_cast<int32_t>(routes_used_++);
      routes_[static_cast<size_t>(idx)].log = last->topic->partition(p);
    }
    routes_[static_cast<size_t>(idx)].records.push_back(&r);
  }
  return Status::Ok();
}

Status EmbeddedProducer::SendRoutes(size_t count) {
  const TimestampMs now = NowMs();
  for (size_t i = 0; i < count; ++i) {
    PartitionRoute& route = routes_[i];
    route.encoded.clear();
    // Cut the partition's records into batches of about kTargetBatchBytes.
    size_t begin = 0, bytes = 0;
    for (size_t j = 0; j < route.records.size(); ++j) {
      const size_t bound = EncodedRecordBound(*route.records[j]);
      if (bound > kMaxRecordBytes) {
        return Status::InvalidArgument("a record of about " + std::to_string(bound >> 20) +
                                       " MiB exceeds the embedded broker's limit of " +
                                       std::to_string(kMaxRecordBytes >> 20) + " MiB");
      }
      bytes += bound;
      const bool last = j + 1 == route.records.size();
      if (bytes >= kTargetBatchBytes || last) {
        EncodeBatch(std::span<const Record* const>(route.records.data() + begin, j + 1 - begin),
                    now, &route.encoded);
        begin = j + 1;
        bytes = 0;
        // Appended while the encoding is still in the CPU's cache: the kernel's copy into the
        // page cache reads it from there instead of from memory.
        if (route.encoded.size() >= kAppendBytes || last) {
          RC_ASSIGN_OR_RETURN(route.end, route.log->Append(std::span<char>(route.encoded)));
          route.encoded.clear();
        }
      }
    }
    core_->MarkDirty(route.log);
  }
  if (core_->options().flush_interval_ms > 0) {
    core_->notifier().NotifyAll();  // visible now: wake consumers
    return Status::Ok();
  }
  core_->notifier().Wait([&] {
    for (size_t i = 0; i < count; ++i) {
      const PartitionRoute& r = routes_[i];
      if (r.log->durable_end() < r.end && !r.log->failed()) return false;
    }
    return true;
  });
  for (size_t i = 0; i < count; ++i) {
    const PartitionRoute& r = routes_[i];
    if (r.log->durable_end() < r.end) return r.log->failure();
  }
  return Status::Ok();
}

Status EmbeddedProducer::Send(const std::string& topic, std::vector<Record>& records) {
  if (records.empty()) return Status::Ok();
  if (!core_->BeginSend()) return Status::Cancelled("the broker is closed");
  routing_used_ = 0;
  routes_used_ = 0;
  Status s = RouteRecords(topic, records);
  const size_t count = routes_used_;
  if (s.ok()) s = SendRoutes(count);
  core_->EndSend();
  for (size_t i = 0; i < count; ++i) {
    PartitionRoute& r = routes_[i];
    r.records.clear();
    if (r.encoded.capacity() > kKeepBufferBytes) EncodeBuffer().swap(r.encoded);
  }
  return s;
}

}  // namespace rivven::embedded
