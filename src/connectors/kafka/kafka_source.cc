#include "connectors/kafka/kafka_source.h"

#include "base/log.h"
#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_error.h"
#include "connectors/kafka/kafka_connection_keys.h"
#include "connectors/registry.h"
#include "base/json_escape.h"

namespace rivven {
namespace kafka {
namespace {

constexpr std::string_view kLog = "kafka-source";

using config::Key;
using config::ValueType;

}  // namespace

config::Schema KafkaSourceSchema() {
  config::Schema s;
  AddConnectionKeys(s);
  s.Add(Key("topics", ValueType::kStringList,
            "Topics to read; an entry starting with ^ is a regular expression over topic names "
            "(e.g. ^orders\\..*).")
            .Required());
  s.Add(Key("group_id", ValueType::kString,
            "Consumer group; default rivven-connect-<source name>. Processes with the same group "
            "share the partitions."));
  s.Add(Key("start_position", ValueType::kString,
            "Where a partition the group never committed starts.")
            .Default("earliest")
            .OneOf({"earliest", "latest"}));
  s.Add(Key("read_committed", ValueType::kBool,
            "Skip records of aborted transactions (and wait for open ones).")
            .Default("true"));
  s.Add(Key("keep_topic", ValueType::kBool,
            "Write each record to a topic named like the one it came from instead of the "
            "source's topic.")
            .Default("false"));
  return s;
}

Result<KafkaSourceConfig> KafkaSourceConfigFromBound(const config::BoundConfig& bound,
                                                     const std::string& source_name) {
  KafkaSourceConfig c;
  RC_ASSIGN_OR_RETURN(c.client, ConnectionFromBound(bound));
  c.topics = bound.GetStringList("topics");
  if (c.topics.empty()) return Status::InvalidArgument(bound.path() + ".topics: give at least one topic");
  c.group_id = bound.GetString("group_id");
  if (c.group_id.empty()) c.group_id = "rivven-connect-" + source_name;
  c.start_position = bound.GetString("start_position");
  c.read_committed = bound.GetBool("read_committed");
  c.keep_topic = bound.GetBool("keep_topic");
  return c;
}

Status KafkaSource::Open(const std::optional<std::string>&) {
  ConsumerOptions o;
  o.group_id = config_.group_id;
  o.auto_offset_reset = config_.start_position;
  o.read_committed = config_.read_committed;
  RC_ASSIGN_OR_RETURN(consumer_, KafkaConsumer::Create(config_.client, o));
  return consumer_->Subscribe(config_.topics);
}

std::string KafkaSource::PositionText() const {
  std::string out = "{\"offsets\":{";
  bool first = true;
  for (const auto& [tp, next] : next_) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, tp.first + "/" + std::to_string(tp.second));
    out += ':';
    out += std::to_string(next);
  }
  out += "}}";
  return out;
}

Result<SourceBatch> KafkaSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                      std::stop_token stop) {
  SourceBatch batch;
  if (stop.stop_requested()) return batch;
  // Short waits, so a stop request is seen promptly.
  RC_ASSIGN_OR_RETURN(auto consumed,
                      consumer_->Poll(max_records, std::min(max_wait, std::chrono::milliseconds(200))));
  if (consumed.empty()) return batch;
  batch.records.reserve(consumed.size());
  std::vector<PartitionOffset> offsets;
  for (ConsumedRecord& m : consumed) {
    next_[{m.topic, m.partition}] = m.offset.value() + 1;
    if (config_.keep_topic) m.record.topic = m.topic;
    batch.records.push_back(std::move(m.record));
  }
  for (const auto& [tp, next] : next_) offsets.push_back({tp.first, tp.second, next});
  batch.position = PositionText();
  unacknowledged_.emplace_back(batch.position, std::move(offsets));
  return batch;
}

Status KafkaSource::Acknowledge(const std::string& position) {
  // Positions are acknowledged in order; everything up to this one is stored downstream.
  std::vector<PartitionOffset> commit;
  while (!unacknowledged_.empty()) {
    const bool match = unacknowledged_.front().first == position;
    if (match) commit = std::move(unacknowledged_.front().second);
    unacknowledged_.pop_front();
    if (match) break;
  }
  if (commit.empty()) return Status::Ok();
  Status s = consumer_->Commit(commit);
  if (!s.ok() && s.retriable()) {
    // A rebalance took partitions away: their next owner reads from the last commit again
    // (at-least-once); this member goes on with what it has.
    log::Warn(kLog, "group {}: committing offsets failed, the next owner re-reads: {}",
              config_.group_id, s.message());
    return Status::Ok();
  }
  return s;
}

Status KafkaSource::Close() {
  if (consumer_ == nullptr) return Status::Ok();
  Status s = consumer_->Close();
  consumer_.reset();
  return s;
}

}  // namespace kafka

void RegisterKafkaSource(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "kafka";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Reads topics of a Kafka cluster (names or regular expressions) as a consumer group, "
      "keeping keys, headers and timestamps; commits the group's offsets after the records are "
      "stored";
  d.schema = kafka::KafkaSourceSchema();
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(kafka::KafkaSourceConfig c,
                        kafka::KafkaSourceConfigFromBound(bound, context.name));
    return std::unique_ptr<Source>(std::make_unique<kafka::KafkaSource>(std::move(c)));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(kafka::KafkaSourceConfig c, kafka::KafkaSourceConfigFromBound(bound, "check"));
    RC_ASSIGN_OR_RETURN(auto admin, kafka::KafkaAdmin::Create(c.client));
    const auto timeout = std::chrono::milliseconds(c.client.request_timeout_ms);
    for (const auto& t : c.topics) {
      if (t.empty() || t[0] == '^') continue;
      RC_RETURN_IF_ERROR(admin->Topic(t, timeout).status());
    }
    return admin->Topics(timeout).status();
  };
  d.discover = [](const config::BoundConfig& bound) -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(kafka::KafkaSourceConfig c, kafka::KafkaSourceConfigFromBound(bound, "discover"));
    RC_ASSIGN_OR_RETURN(auto admin, kafka::KafkaAdmin::Create(c.client));
    RC_ASSIGN_OR_RETURN(auto topics,
                        admin->Topics(std::chrono::milliseconds(c.client.request_timeout_ms)));
    std::vector<StreamDescription> out;
    for (const auto& t : topics) {
      if (t.name.rfind("__", 0) == 0) continue;
      out.push_back({t.name, "{}"});
    }
    return out;
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
