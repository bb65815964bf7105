#include "broker/kafka/kafka_checkpoint_store.h"

#include "base/log.h"
#include "clients/kafka/kafka_topic_reader.h"
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
  std::optional<std::string> last;
  RC_RETURN_IF_ERROR(kafka::ReadTopicToEnd(client_, admin_, topic_, {partition}, timeout_,
                                           [&](ConsumedRecord& m) {
                                             if (m.record.key != source) return;
                                             // A null value (tombstone) forgets the position.
                                             last = std::move(m.record.value);
                                           }));
  return last;
}

}  // namespace rivven
