#include "broker/kafka/kafka_checkpoint_store.h"

#include "base/log.h"
#include "clients/kafka/kafka_consumer.h"
#include "record/partitioner.h"

namespace rivven {
namespace {

constexpr std::string_view kLog = "checkpoints";

}  // namespace

KafkaCheckpointStore::KafkaCheckpointStore(kafka::ClientConfig client,
                                           const kafka::KafkaAdmin& admin, std::string topic,
                                           int32_t partitions, int32_t replication_factor,
                                           std::chrono::milliseconds timeout)
    : client_(std::move(client)),
      admin_(admin),
      topic_(std::move(topic)),
      partitions_(partitions),
      replication_factor_(replication_factor),
      timeout_(timeout) {}

Status KafkaCheckpointStore::EnsureTopic() {
  if (topic_ready_) return Status::Ok();
  auto existing = admin_.Topic(topic_, timeout_);
  if (existing.ok()) {
    topic_ready_ = true;
    return Status::Ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status().WithContext("looking for the checkpoint topic " + topic_);
  }
  kafka::NewTopic t{topic_, partitions_, replication_factor_, {{"cleanup.policy", "compact"}}};
  Status s = admin_.CreateTopic(t, timeout_);
  if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
    return s.WithContext("the checkpoint topic " + topic_ +
                         " is missing and could not be created (create it compacted, "
                         "cleanup.policy=compact)");
  }
  log::Info(kLog, "created the compacted checkpoint topic {} on {}", topic_, admin_.where());
  topic_ready_ = true;
  return Status::Ok();
}

Status KafkaCheckpointStore::Save(const std::string& source, const std::string& position) {
  std::lock_guard<std::mutex> l(mu_);
  RC_RETURN_IF_ERROR(EnsureTopic());
  if (producer_ == nullptr) {
    kafka::ProducerOptions o;
    o.linger_ms = 0;  // one record at a time, waited for
    o.delivery_timeout_ms = timeout_.count();
    RC_ASSIGN_OR_RETURN(producer_, kafka::KafkaProducer::Create(client_, o));
  }
  Record r;
  r.key = source;
  r.value = position;
  RC_RETURN_IF_ERROR(producer_->Produce(topic_, r));
  return producer_->Flush(timeout_ + std::chrono::seconds(5))
      .WithContext("saving the position of source '" + source + "' to " + topic_);
}

Result<std::optional<std::string>> KafkaCheckpointStore::Load(const std::string& source) {
  {
    std::lock_guard<std::mutex> l(mu_);
    RC_RETURN_IF_ERROR(EnsureTopic());
  }
  RC_ASSIGN_OR_RETURN(kafka::TopicMetadata md, admin_.Topic(topic_, timeout_));
  const auto partitions = static_cast<int32_t>(md.partitions.size());
  if (partitions == 0) return Status::Internal("checkpoint topic " + topic_ + " has no partitions");
  // Save keys by the source's name: only its partition can hold its positions.
  const int32_t partition = PartitionForKey(source, partitions);
  RC_ASSIGN_OR_RETURN(auto marks, admin_.Watermarks(topic_, partition, timeout_));
  const auto [low, high] = marks;
  if (high <= low) return std::optional<std::string>();

  kafka::ConsumerOptions o;  // no group: assigned, nothing committed
  o.read_committed = true;
  RC_ASSIGN_OR_RETURN(auto consumer, kafka::KafkaConsumer::Create(client_, o));
  RC_RETURN_IF_ERROR(consumer->Assign({{topic_, partition, low}}));
  std::optional<std::string> last;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int64_t next = low;
  while (next < high) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Timeout("reading the checkpoint topic " + topic_ + " partition " +
                             std::to_string(partition) + " up to offset " + std::to_string(high) +
                             " took over " + std::to_string(timeout_.count()) + " ms");
    }
    RC_ASSIGN_OR_RETURN(auto batch, consumer->Poll(1024, std::chrono::milliseconds(200)));
    for (auto& m : batch) {
      next = std::max(next, m.offset.value() + 1);
      if (m.record.key != source) continue;
      last = std::move(m.record.value);  // a null value (tombstone) forgets the position
    }
    if (batch.empty()) {
      // Compaction and transaction markers leave gaps: the position says how far it got.
      auto positions = consumer->Positions();
      if (positions.ok() && !positions->empty() && (*positions)[0].offset >= high) break;
    }
  }
  (void)consumer->Close();
  return last;
}

}  // namespace rivven
