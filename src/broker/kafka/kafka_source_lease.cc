#include "broker/kafka/kafka_source_lease.h"

#include "base/log.h"

namespace rivven {
namespace {

constexpr std::string_view kLog = "lease";

}  // namespace

Result<std::unique_ptr<KafkaSourceLease>> KafkaSourceLease::Acquire(
    const kafka::ClientConfig& client, const std::string& checkpoint_topic, int32_t partition,
    const std::string& source, int64_t session_timeout_ms) {
  kafka::ClientConfig c = client;
  // Before the user's raw properties, which still win.
  c.extra.insert(c.extra.begin(), {"partition.assignment.strategy", "cooperative-sticky"});
  kafka::ConsumerOptions o;
  o.group_id = "rivven-connect-source-" + source;
  o.auto_offset_reset = "latest";  // the records are not wanted
  o.session_timeout_ms = session_timeout_ms;
  RC_ASSIGN_OR_RETURN(auto consumer, kafka::KafkaConsumer::Create(c, o));
  RC_RETURN_IF_ERROR(consumer->Subscribe({checkpoint_topic}));
  std::unique_ptr<KafkaSourceLease> lease(new KafkaSourceLease());
  lease->consumer_ = std::move(consumer);
  lease->topic_ = checkpoint_topic;
  lease->partition_ = partition;
  lease->source_ = source;
  lease->thread_ = std::jthread([l = lease.get()](std::stop_token st) { l->Run(st); });
  return lease;
}

KafkaSourceLease::~KafkaSourceLease() {
  if (thread_.joinable()) {
    thread_.request_stop();
    consumer_->Wakeup();
    thread_.join();
  }
  (void)consumer_->Close();  // leave the group: the lease moves at once
}

void KafkaSourceLease::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto polled = consumer_->Poll(64, std::chrono::milliseconds(100));
    if (!polled.ok()) {
      log::Warn(kLog, "source '{}': keeping the group membership: {}", source_,
                polled.status().message());
    }
    bool held = false;
    if (auto assigned = consumer_->Assignment(); assigned.ok()) {
      for (const auto& p : *assigned) held |= p.topic == topic_ && p.partition == partition_;
    }
    if (held != held_.load(std::memory_order_relaxed)) {
      log::Info(kLog, "source '{}': this process {} it", source_, held ? "now runs" : "no longer runs");
      held_.store(held, std::memory_order_release);
    }
  }
}

}  // namespace rivven
