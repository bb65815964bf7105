#include "clients/kafka/kafka_admin.h"

#include <algorithm>

#include "clients/kafka/kafka_error.h"
#include "clients/kafka/kafka_handle.h"

namespace rivven::kafka {
namespace {

rd_kafka_t* Rk(void* p) { return static_cast<rd_kafka_t*>(p); }

/// Runs one Admin API request: `start` sends it to a fresh queue; the result event is handed to
/// `read` (which returns the Status); the event, queue and options are released here.
template <typename Start, typename Read>
Status AdminRequest(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout,
                    const std::string& what, Start&& start, Read&& read) {
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, op);
  char err[256];
  (void)rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), err,
                                                  sizeof err);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS) {
    (void)rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()),
                                                      err, sizeof err);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  start(options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  Status s;
  if (event == nullptr) {
    s = Status::Timeout(what + ": no answer in " + std::to_string(timeout.count()) + " ms");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    s = ErrorStatus(rd_kafka_event_error(event), what, rd_kafka_event_error_string(event));
  } else {
    s = read(event);
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  return s;
}

TopicMetadata ToTopic(const rd_kafka_metadata_topic_t& t) {
  TopicMetadata out;
  out.name = t.topic;
  for (int i = 0; i < t.partition_cnt; ++i) {
    const auto& p = t.partitions[i];
    PartitionMetadata pm;
    pm.id = p.id;
    pm.leader = p.leader;
    pm.replicas.assign(p.replicas, p.replicas + p.replica_cnt);
    out.partitions.push_back(std::move(pm));
  }
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const PartitionMetadata& a, const PartitionMetadata& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Result<std::unique_ptr<KafkaAdmin>> KafkaAdmin::Create(const ClientConfig& client) {
  RC_ASSIGN_OR_RETURN(Properties props, ClientProperties(client));
  internal::WarnIfTlsUnverified(client);
  // Never auto-create a topic by asking for its metadata.
  props.insert(props.begin() + static_cast<std::ptrdiff_t>(props.size() - client.extra.size()),
               {"allow.auto.create.topics", "false"});
  RC_ASSIGN_OR_RETURN(rd_kafka_t * rk, internal::NewHandle(RD_KAFKA_PRODUCER, props));
  std::unique_ptr<KafkaAdmin> a(new KafkaAdmin());
  a->rk_ = rk;
  for (const auto& s : client.bootstrap_servers) a->where_ += (a->where_.empty() ? "" : ",") + s;
  return a;
}

KafkaAdmin::~KafkaAdmin() {
  if (rk_ != nullptr) rd_kafka_destroy(Rk(rk_));
}

Result<std::vector<TopicMetadata>> KafkaAdmin::Topics(std::chrono::milliseconds timeout) const {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(Rk(rk_), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "listing the topics of " + where_);
  }
  std::vector<TopicMetadata> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(ToTopic(md->topics[i]));
  }
  rd_kafka_metadata_destroy(md);
  std::sort(out.begin(), out.end(),
            [](const TopicMetadata& a, const TopicMetadata& b) { return a.name < b.name; });
  return out;
}

Result<TopicMetadata> KafkaAdmin::Topic(const std::string& name,
                                        std::chrono::milliseconds timeout) const {
  // Through the list of all topics: asking for one unknown topic's metadata may create it on
  // clusters with auto-creation on.
  RC_ASSIGN_OR_RETURN(std::vector<TopicMetadata> all, Topics(timeout));
  for (auto& t : all) {
    if (t.name == name) return std::move(t);
  }
  return Status::NotFound("topic '" + name + "' does not exist on " + where_);
}

Status KafkaAdmin::CreateTopic(const NewTopic& topic, std::chrono::milliseconds timeout) const {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                  topic.replication_factor, err, sizeof err);
  if (nt == nullptr) {
    return Status::InvalidArgument("topic '" + topic.name + "': " + err);
  }
  for (const auto& [k, v] : topic.configs) {
    const rd_kafka_resp_err_t e = rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_NewTopic_destroy(nt);
      return ErrorStatus(e, "setting " + k + " of new topic " + topic.name);
    }
  }
  const std::string what = "creating topic " + topic.name + " (" +
                           std::to_string(topic.partitions) + " partitions, replication factor " +
                           std::to_string(topic.replication_factor) + ") on " + where_;
  Status s = AdminRequest(
      Rk(rk_), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, what,
      [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreateTopics(Rk(rk_), &nt, 1, o, q);
      },
      [&](rd_kafka_event_t* ev) {
        const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
        for (size_t i = 0; i < n; ++i) {
          const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
          if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char* detail = rd_kafka_topic_result_error_string(results[i]);
            return ErrorStatus(e, what, detail != nullptr ? detail : "");
          }
        }
        return Status::Ok();
      });
  rd_kafka_NewTopic_destroy(nt);
  return s;
}

Result<Properties> KafkaAdmin::TopicConfig(const std::string& name,
                                           std::chrono::milliseconds timeout) const {
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str());
  Properties out;
  const std::string what = "describing the configuration of topic " + name + " on " + where_;
  Status s = AdminRequest(
      Rk(rk_), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout, what,
      [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DescribeConfigs(Rk(rk_), &resource, 1, o, q);
      },
      [&](rd_kafka_event_t* ev) {
        const rd_kafka_DescribeConfigs_result_t* res = rd_kafka_event_DescribeConfigs_result(ev);
        size_t n = 0;
        const rd_kafka_ConfigResource_t** rs = rd_kafka_DescribeConfigs_result_resources(res, &n);
        if (n != 1) return Status::Internal(what + ": " + std::to_string(n) + " results");
        if (rd_kafka_ConfigResource_error(rs[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* detail = rd_kafka_ConfigResource_error_string(rs[0]);
          return ErrorStatus(rd_kafka_ConfigResource_error(rs[0]), what,
                             detail != nullptr ? detail : "");
        }
        size_t cnt = 0;
        const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(rs[0], &cnt);
        for (size_t i = 0; i < cnt; ++i) {
          const char* v = rd_kafka_ConfigEntry_value(entries[i]);
          out.emplace_back(rd_kafka_ConfigEntry_name(entries[i]), v != nullptr ? v : "");
        }
        return Status::Ok();
      });
  rd_kafka_ConfigResource_destroy(resource);
  if (!s.ok()) return s;
  return out;
}

Result<std::pair<int64_t, int64_t>> KafkaAdmin::Watermarks(const std::string& topic,
                                                           int32_t partition,
                                                           std::chrono::milliseconds timeout) const {
  int64_t low = 0, high = 0;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      Rk(rk_), topic.c_str(), partition, &low, &high, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "reading the offsets of topic " + topic + " partition " +
                                std::to_string(partition) + " on " + where_);
  }
  return std::make_pair(low, high);
}

}  // namespace rivven::kafka
