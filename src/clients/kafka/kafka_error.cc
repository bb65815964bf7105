#include "clients/kafka/kafka_error.h"

#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <string>

namespace rivven::kafka {
namespace {

constexpr std::string_view kPrefix = "Kafka error ";

}  // namespace

bool IsAuthError(int code) {
  switch (static_cast<rd_kafka_resp_err_t>(code)) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return true;
    default:
      return false;
  }
}

bool IsRetriableError(int code) {
  switch (static_cast<rd_kafka_resp_err_t>(code)) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    default:
      return false;
  }
}

Status ErrorStatus(int code, std::string_view what, std::string_view detail) {
  const auto e = static_cast<rd_kafka_resp_err_t>(code);
  std::string text = std::string(kPrefix) + rd_kafka_err2name(e) + " (" + std::to_string(code) +
                     ") " + std::string(what) + ": " + rd_kafka_err2str(e);
  if (!detail.empty() && detail != rd_kafka_err2str(e)) {
    text += ": ";
    text += detail;
  }
  if (e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ||
      e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT) {
    return Status::Timeout(std::move(text));
  }
  if (IsRetriableError(code)) return Status::Unavailable(std::move(text));
  if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
      e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return Status::NotFound(std::move(text));
  }
  if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return Status::Error(StatusCode::kAlreadyExists, std::move(text));
  }
  if (IsAuthError(e)) return Status::FailedPrecondition(std::move(text));
  if (e == RD_KAFKA_RESP_ERR__INVALID_ARG || e == RD_KAFKA_RESP_ERR_INVALID_CONFIG ||
      e == RD_KAFKA_RESP_ERR_INVALID_REQUEST || e == RD_KAFKA_RESP_ERR_INVALID_PARTITIONS ||
      e == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR || e == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION ||
      e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || e == RD_KAFKA_RESP_ERR_INVALID_RECORD) {
    return Status::InvalidArgument(std::move(text));
  }
  return Status::Internal(std::move(text));
}

int ErrorCode(const Status& status) {
  const std::string& m = status.message();
  const size_t at = m.find(kPrefix);
  if (at == std::string::npos) return 0;
  const size_t open = m.find(" (", at + kPrefix.size());
  if (open == std::string::npos) return 0;
  return static_cast<int>(std::strtol(m.c_str() + open + 2, nullptr, 10));
}

}  // namespace rivven::kafka
