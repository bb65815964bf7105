#include "broker/embedded/embedded_broker.h"

#include "broker/embedded/broker_core.h"
#include "broker/embedded/embedded_consumer.h"
#include "broker/embedded/embedded_producer.h"
#include "broker/embedded/offsets_store.h"
#include "broker/embedded/topic.h"

namespace rivven {

Result<std::unique_ptr<EmbeddedBroker>> OpenEmbeddedBroker(const EmbeddedBrokerOptions& options) {
  auto core = embedded::BrokerCore::Open(options);
  if (!core.ok()) {
    if (core.status().message().find(options.data_dir) != std::string::npos) return core.status();
    return core.status().WithContext("opening data dir " + options.data_dir);
  }
  return std::unique_ptr<EmbeddedBroker>(new EmbeddedBroker(std::move(core).value()));
}

EmbeddedBroker::EmbeddedBroker(std::shared_ptr<embedded::BrokerCore> core)
    : core_(std::move(core)) {}

EmbeddedBroker::~EmbeddedBroker() { (void)core_->Close(); }

Result<std::vector<std::string>> EmbeddedBroker::ListTopics() { return core_->ListTopics(); }

Result<TopicInfo> EmbeddedBroker::DescribeTopic(const std::string& topic) {
  if (core_->closed()) return Status::Cancelled("the broker is closed");
  embedded::Topic* t = core_->FindTopic(topic);
  if (t == nullptr) return Status::NotFound("topic '" + topic + "' does not exist");
  return t->Describe();
}

Status EmbeddedBroker::CreateTopic(const std::string& topic, const TopicSpec& spec) {
  return core_->CreateTopic(topic, spec);
}

Result<std::unique_ptr<Producer>> EmbeddedBroker::NewProducer() {
  if (core_->read_only()) return Status::FailedPrecondition("the data dir is open read-only");
  if (core_->closed()) return Status::Cancelled("the broker is closed");
  return std::unique_ptr<Producer>(new embedded::EmbeddedProducer(core_));
}

Result<std::unique_ptr<Consumer>> EmbeddedBroker::NewConsumer(
    const std::string& group, const std::vector<std::string>& topics) {
  if (core_->closed()) return Status::Cancelled("the broker is closed");
  RC_ASSIGN_OR_RETURN(auto c, embedded::EmbeddedConsumer::Create(core_, group, topics));
  return std::unique_ptr<Consumer>(std::move(c));
}

CheckpointStore& EmbeddedBroker::Checkpoints() { return core_->offsets(); }

Result<std::vector<TopicPartitionOffset>> EmbeddedBroker::CommittedOffsets(
    const std::string& group, const std::string& topic) {
  return core_->offsets().CommittedOffsets(group, topic);
}

Status EmbeddedBroker::Close() { return core_->Close(); }

Result<std::vector<ConsumedRecord>> EmbeddedBroker::Read(const std::string& topic,
                                                         int32_t partition, Offset from,
                                                         size_t max_records,
                                                         std::chrono::milliseconds wait) {
  return core_->Read(topic, partition, from, max_records, wait);
}

const std::vector<std::string>& EmbeddedBroker::RecoveryReport() const { return core_->report(); }

Status EmbeddedBroker::EnforceRetention() { return core_->EnforceRetention(); }

}  // namespace rivven
