#include "connectors/kafka/kafka_sink.h"

#include <chrono>
#include <cstdlib>

#include "base/log.h"
#include "clients/kafka/kafka_topic_reader.h"
#include "connectors/registry.h"

namespace rivven {
namespace kafka {
namespace {

constexpr std::string_view kLog = "kafka-sink";

std::chrono::milliseconds Ms(int64_t ms) { return std::chrono::milliseconds(ms); }

}  // namespace

KafkaSink::KafkaSink(KafkaSinkConfig config) : config_(std::move(config)) {}

std::string KafkaSink::ProgressKey(const SourcePartition& p) const {
  return config_.producer.transactional_id + "|" + p.first + "|" + std::to_string(p.second);
}

Status KafkaSink::LoadProgress() {
  const std::chrono::milliseconds timeout = Ms(config_.client.request_timeout_ms);
  auto topic = admin_->Topic(config_.progress_topic, timeout);
  if (!topic.ok() && topic.status().code() == StatusCode::kNotFound) {
    NewTopic t{config_.progress_topic, 1, -1, {{"cleanup.policy", "compact"}}};
    Status s = admin_->CreateTopic(t, timeout);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
      return s.WithContext("the progress topic " + config_.progress_topic +
                           " is missing and could not be created (create it compacted)");
    }
    log::Info(kLog, "created the compacted progress topic {} on {}", config_.progress_topic,
              admin_->where());
  } else if (!topic.ok()) {
    return topic.status();
  }
  const std::string prefix = config_.producer.transactional_id + "|";
  done_.clear();
  return ReadTopicToEnd(config_.client, *admin_, config_.progress_topic, {}, timeout,
                        [&](ConsumedRecord& m) {
                          if (!m.record.key || m.record.key->rfind(prefix, 0) != 0) return;
                          const std::string rest = m.record.key->substr(prefix.size());
                          const size_t bar = rest.rfind('|');
                          if (bar == std::string::npos || !m.record.value) return;
                          const SourcePartition p{rest.substr(0, bar),
                                                  std::atoi(rest.c_str() + bar + 1)};
                          done_[p] = std::strtoll(m.record.value->c_str(), nullptr, 10);
                        });
}

Status KafkaSink::Open() {
  RC_ASSIGN_OR_RETURN(producer_, KafkaProducer::Create(config_.client, config_.producer));
  if (!config_.exactly_once) return Status::Ok();
  RC_ASSIGN_OR_RETURN(admin_, KafkaAdmin::Create(config_.client));
  // First fence: an older producer with this id (a previous life of this sink) can no longer
  // commit, and its open transaction is aborted, so the progress read next is final.
  RC_RETURN_IF_ERROR(producer_->InitTransactions(Ms(config_.transaction_timeout_ms)));
  RC_RETURN_IF_ERROR(LoadProgress());
  if (!done_.empty()) {
    log::Info(kLog, "transactional id {}: resuming after {} source partition(s) already written",
              config_.producer.transactional_id, done_.size());
  }
  return Status::Ok();
}

Status KafkaSink::Write(const std::vector<ConsumedRecord>& records) {
  if (config_.exactly_once && !in_transaction_ && !records.empty()) {
    RC_RETURN_IF_ERROR(producer_->BeginTransaction());
    in_transaction_ = true;
  }
  for (const ConsumedRecord& r : records) {
    const std::string& topic = config_.target_topic.empty() ? r.topic : config_.target_topic;
    if (config_.exactly_once) {
      const SourcePartition p{r.topic, r.partition};
      auto done = done_.find(p);
      if (done != done_.end() && r.offset.value() < done->second) continue;  // written before
      pending_[p] = r.offset.value() + 1;
    }
    RC_RETURN_IF_ERROR(producer_->Produce(topic, r.record));
  }
  return Status::Ok();
}

Status KafkaSink::Flush() {
  if (!config_.exactly_once) {
    return producer_->Flush(Ms(config_.producer.delivery_timeout_ms) + std::chrono::seconds(5));
  }
  if (!in_transaction_) return Status::Ok();
  for (const auto& [p, next] : pending_) {
    Record progress;
    progress.key = ProgressKey(p);
    progress.value = std::to_string(next);
    RC_RETURN_IF_ERROR(producer_->Produce(config_.progress_topic, progress));
  }
  Status s = producer_->CommitTransaction(Ms(config_.transaction_timeout_ms));
  in_transaction_ = false;
  if (!s.ok()) {
    // Nothing of the batch is visible; the runner replays it from the last committed offsets.
    Status aborted = producer_->AbortTransaction(Ms(config_.transaction_timeout_ms));
    pending_.clear();
    if (!aborted.ok()) log::Warn(kLog, "aborting the failed transaction: {}", aborted.message());
    return s.WithContext("committing the transaction of " + config_.producer.transactional_id)
        .WithDisposition(Disposition::kRetriable);
  }
  for (const auto& [p, next] : pending_) done_[p] = next;
  pending_.clear();
  return Status::Ok();
}

Status KafkaSink::Close() {
  if (producer_ == nullptr) return Status::Ok();
  Status s;
  if (in_transaction_) {
    // Not flushed: not written (the runner did not commit these records either).
    s = producer_->AbortTransaction(Ms(config_.transaction_timeout_ms));
    in_transaction_ = false;
    pending_.clear();
  } else if (!config_.exactly_once) {
    s = producer_->Flush(Ms(config_.producer.delivery_timeout_ms));
  }
  producer_.reset();
  admin_.reset();
  return s;
}

}  // namespace kafka

void RegisterKafkaSink(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "kafka";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Writes records to a Kafka cluster (keys, headers and timestamps kept), acknowledged by "
      "acks; exactly_once writes each batch in a transaction with the sink's progress";
  d.schema = kafka::KafkaSinkSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(kafka::KafkaSinkConfig c, kafka::KafkaSinkConfigFromBound(bound, context.name));
    return std::unique_ptr<Sink>(std::make_unique<kafka::KafkaSink>(std::move(c)));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(kafka::KafkaSinkConfig c, kafka::KafkaSinkConfigFromBound(bound, "check"));
    RC_ASSIGN_OR_RETURN(auto admin, kafka::KafkaAdmin::Create(c.client));
    const auto timeout = std::chrono::milliseconds(c.client.request_timeout_ms);
    if (!c.target_topic.empty()) return admin->Topic(c.target_topic, timeout).status();
    return admin->Topics(timeout).status();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
