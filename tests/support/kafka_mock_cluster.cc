#include "support/kafka_mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace rivven::testing {
namespace {

rd_kafka_mock_cluster_t* Mc(void* p) { return static_cast<rd_kafka_mock_cluster_t*>(p); }

}  // namespace

std::unique_ptr<KafkaMockCluster> KafkaMockCluster::Start(int brokers, std::string* error) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The owning handle only hosts the cluster; keep its own logging quiet.
  (void)rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    *error = std::string("cannot create the mock cluster's handle: ") + err;
    return nullptr;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == nullptr) {
    rd_kafka_destroy(rk);
    *error = "rd_kafka_mock_cluster_new failed";
    return nullptr;
  }
  std::unique_ptr<KafkaMockCluster> c(new KafkaMockCluster());
  c->rk_ = rk;
  c->cluster_ = mc;
  c->bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc);
  return c;
}

KafkaMockCluster::~KafkaMockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(Mc(cluster_));
  if (rk_ != nullptr) rd_kafka_destroy(static_cast<rd_kafka_t*>(rk_));
}

std::vector<std::string> KafkaMockCluster::servers() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= bootstraps_.size()) {
    const size_t comma = bootstraps_.find(',', start);
    const size_t end = comma == std::string::npos ? bootstraps_.size() : comma;
    if (end > start) out.push_back(bootstraps_.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool KafkaMockCluster::CreateTopic(const std::string& name, int partitions,
                                   int replication_factor) {
  return rd_kafka_mock_topic_create(Mc(cluster_), name.c_str(), partitions, replication_factor) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetBrokerDown(int32_t broker) {
  return rd_kafka_mock_broker_set_down(Mc(cluster_), broker) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetBrokerUp(int32_t broker) {
  return rd_kafka_mock_broker_set_up(Mc(cluster_), broker) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetLeader(const std::string& topic, int32_t partition, int32_t broker) {
  return rd_kafka_mock_partition_set_leader(Mc(cluster_), topic.c_str(), partition, broker) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaMockCluster::PushRequestErrors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int e : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(Mc(cluster_), api_key, codes.size(), codes.data());
}

}  // namespace rivven::testing
