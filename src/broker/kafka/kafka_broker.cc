#include "broker/kafka/kafka_broker.h"

#include <algorithm>

#include "broker/kafka/kafka_checkpoint_store.h"
#include "broker/kafka/kafka_source_lease.h"
#include "record/partitioner.h"
#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_consumer.h"
#include "clients/kafka/kafka_producer.h"

namespace rivven {
namespace {

using std::chrono::milliseconds;

/// Topics of the cluster's own bookkeeping and of ours: not listed as user topics.
bool IsInternalTopic(const std::string& name, const std::string& offsets_topic) {
  return name.rfind("__", 0) == 0 || name == offsets_topic || name.rfind("_rivven-connect-", 0) == 0;
}

class KafkaTopicProducer final : public Producer {
 public:
  KafkaTopicProducer(std::unique_ptr<kafka::KafkaProducer> p, milliseconds timeout)
      : producer_(std::move(p)), timeout_(timeout) {}

  Status Send(const std::string& topic, std::vector<Record>& records) override {
    for (const Record& r : records) {
      RC_RETURN_IF_ERROR(producer_->Produce(r.topic.empty() ? topic : r.topic, r));
    }
    // librdkafka retries within its delivery timeout; this bounds the wait for its verdict.
    return producer_->Flush(timeout_);
  }

 private:
  std::unique_ptr<kafka::KafkaProducer> producer_;
  milliseconds timeout_;
};

class KafkaGroupConsumer final : public Consumer {
 public:
  explicit KafkaGroupConsumer(std::unique_ptr<kafka::KafkaConsumer> c) : consumer_(std::move(c)) {}
  ~KafkaGroupConsumer() override { (void)consumer_->Close(); }

  Result<std::vector<ConsumedRecord>> Poll(size_t max_records, milliseconds max_wait) override {
    return consumer_->Poll(max_records, max_wait);
  }

  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override {
    std::vector<kafka::PartitionOffset> list;
    list.reserve(offsets.size());
    for (const auto& o : offsets) list.push_back({o.topic, o.partition, o.offset.value()});
    return consumer_->Commit(list);
  }

  std::vector<TopicPartitionOffset> Positions() const override {
    std::vector<TopicPartitionOffset> out;
    auto positions = consumer_->Positions();
    if (!positions.ok()) return out;
    for (const auto& p : *positions) {
      if (p.offset >= 0) out.push_back({p.topic, p.partition, Offset(p.offset)});
    }
    return out;
  }

  void Wakeup() override { consumer_->Wakeup(); }

 private:
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
};

class KafkaBroker final : public Broker {
 public:
  KafkaBroker(KafkaBrokerOptions options, std::unique_ptr<kafka::KafkaAdmin> admin)
      : options_(std::move(options)),
        admin_(std::move(admin)),
        checkpoints_(options_.client, *admin_, options_.offsets_topic,
                     options_.offsets_partitions, options_.offsets_replication_factor,
                     options_.request_timeout) {}

  Result<std::vector<std::string>> ListTopics() override {
    RC_ASSIGN_OR_RETURN(auto topics, admin_->Topics(options_.request_timeout));
    std::vector<std::string> out;
    for (const auto& t : topics) {
      if (!IsInternalTopic(t.name, options_.offsets_topic)) out.push_back(t.name);
    }
    return out;
  }

  Result<TopicInfo> DescribeTopic(const std::string& topic) override {
    RC_ASSIGN_OR_RETURN(kafka::TopicMetadata md, admin_->Topic(topic, options_.request_timeout));
    TopicInfo info;
    info.name = md.name;
    info.spec.partitions = static_cast<int32_t>(md.partitions.size());
    for (const auto& p : md.partitions) {
      info.spec.replication_factor =
          std::max(info.spec.replication_factor, static_cast<int32_t>(p.replicas.size()));
      PartitionInfo pi;
      pi.partition = p.id;
      RC_ASSIGN_OR_RETURN(auto marks, admin_->Watermarks(topic, p.id, options_.request_timeout));
      pi.start_offset = Offset(marks.first);
      pi.end_offset = Offset(marks.second);
      info.partitions.push_back(pi);
    }
    return info;
  }

  Status CreateTopic(const std::string& topic, const TopicSpec& spec) override {
    kafka::NewTopic t{topic, spec.partitions, spec.replication_factor, {}};
    if (spec.retention_ms != -1) t.configs.emplace_back("retention.ms", std::to_string(spec.retention_ms));
    if (spec.retention_bytes != -1) {
      t.configs.emplace_back("retention.bytes", std::to_string(spec.retention_bytes));
    }
    if (spec.segment_bytes != -1) t.configs.emplace_back("segment.bytes", std::to_string(spec.segment_bytes));
    return admin_->CreateTopic(t, options_.request_timeout);
  }

  Result<std::unique_ptr<Producer>> NewProducer() override {
    kafka::ProducerOptions o;  // idempotent, acks=all
    o.delivery_timeout_ms = options_.request_timeout.count() * 4;
    RC_ASSIGN_OR_RETURN(auto p, kafka::KafkaProducer::Create(options_.client, o));
    return std::unique_ptr<Producer>(std::make_unique<KafkaTopicProducer>(
        std::move(p), milliseconds(o.delivery_timeout_ms) + std::chrono::seconds(5)));
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& group,
                                                const std::vector<std::string>& topics) override {
    kafka::ConsumerOptions o;
    o.group_id = group;
    o.session_timeout_ms = options_.session_timeout_ms;
    RC_ASSIGN_OR_RETURN(auto c, kafka::KafkaConsumer::Create(options_.client, o));
    RC_RETURN_IF_ERROR(c->Subscribe(topics));
    return std::unique_ptr<Consumer>(std::make_unique<KafkaGroupConsumer>(std::move(c)));
  }

  CheckpointStore& Checkpoints() override { return checkpoints_; }

  Result<std::unique_ptr<SourceLease>> LeaseSource(const std::string& source) override {
    // The lease is the checkpoint partition the source's positions go to (as Save keys them).
    RC_RETURN_IF_ERROR(checkpoints_.Load(source).status());  // the topic exists from here on
    RC_ASSIGN_OR_RETURN(kafka::TopicMetadata md,
                        admin_->Topic(options_.offsets_topic, options_.request_timeout));
    const int32_t partition =
        PartitionForKey(source, static_cast<int32_t>(md.partitions.size()));
    RC_ASSIGN_OR_RETURN(auto lease, KafkaSourceLease::Acquire(options_.client, options_.offsets_topic,
                                                              partition, source,
                                                              options_.session_timeout_ms));
    return std::unique_ptr<SourceLease>(std::move(lease));
  }

  Result<std::vector<TopicPartitionOffset>> CommittedOffsets(const std::string& group,
                                                             const std::string& topic) override {
    RC_ASSIGN_OR_RETURN(kafka::TopicMetadata md, admin_->Topic(topic, options_.request_timeout));
    kafka::ConsumerOptions o;
    o.group_id = group;  // only asked, never joined
    RC_ASSIGN_OR_RETURN(auto c, kafka::KafkaConsumer::Create(options_.client, o));
    std::vector<kafka::PartitionOffset> of;
    for (const auto& p : md.partitions) of.push_back({topic, p.id, 0});
    RC_ASSIGN_OR_RETURN(auto committed, c->Committed(of, options_.request_timeout));
    std::vector<TopicPartitionOffset> out;
    for (const auto& p : committed) {
      if (p.offset >= 0) out.push_back({p.topic, p.partition, Offset(p.offset)});
    }
    return out;
  }

  Status Close() override { return Status::Ok(); }

 private:
  KafkaBrokerOptions options_;
  std::unique_ptr<kafka::KafkaAdmin> admin_;
  KafkaCheckpointStore checkpoints_;
};

}  // namespace

Result<std::unique_ptr<Broker>> OpenKafkaBroker(const KafkaBrokerOptions& options) {
  RC_ASSIGN_OR_RETURN(auto admin, kafka::KafkaAdmin::Create(options.client));
  // Fail now, with the servers named, when the cluster cannot be reached at all.
  RC_RETURN_IF_ERROR(admin->Topics(options.request_timeout).status().WithContext(
      "connecting to the Kafka cluster at " + admin->where()));
  return std::unique_ptr<Broker>(std::make_unique<KafkaBroker>(options, std::move(admin)));
}

}  // namespace rivven
