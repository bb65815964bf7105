#include "clients/kafka/kafka_producer.h"

#include <string_view>

#include "clients/kafka/kafka_error.h"
#include "clients/kafka/kafka_handle.h"

namespace rivven::kafka {
namespace {

rd_kafka_t* Rk(void* p) { return static_cast<rd_kafka_t*>(p); }

std::string Servers(const ClientConfig& c) {
  std::string out;
  for (const auto& s : c.bootstrap_servers) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Status CheckProducerOptions(const ProducerOptions& o) {
  if (o.acks != "all" && o.acks != "-1" && o.acks != "0" && o.acks != "1") {
    return Status::InvalidArgument("acks '" + o.acks + "' is not one of all, -1, 0, 1");
  }
  if (o.compression != "none" && o.compression != "gzip" && o.compression != "snappy" &&
      o.compression != "lz4" && o.compression != "zstd") {
    return Status::InvalidArgument("compression '" + o.compression +
                                   "' is not one of none, gzip, snappy, lz4, zstd");
  }
  if (o.idempotence && o.acks != "all" && o.acks != "-1") {
    return Status::InvalidArgument("an idempotent producer needs acks all (acks is " + o.acks +
                                   ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const ClientConfig& client,
                                                             const ProducerOptions& options) {
  RC_RETURN_IF_ERROR(CheckProducerOptions(options));
  RC_ASSIGN_OR_RETURN(Properties props, ClientProperties(client));
  internal::WarnIfTlsUnverified(client);
  Properties own = {
      {"acks", options.acks},
      {"compression.codec", options.compression},
      {"enable.idempotence", options.idempotence ? "true" : "false"},
      {"linger.ms", std::to_string(options.linger_ms)},
      {"delivery.timeout.ms", std::to_string(options.delivery_timeout_ms)},
      // Java's placement: murmur2 of the key; keyless messages stick to a partition.
      {"partitioner", "murmur2_random"},
  };
  if (!options.transactional_id.empty()) {
    own.emplace_back("transactional.id", options.transactional_id);
    // librdkafka wants a message's deadline inside its transaction's.
    own.emplace_back("transaction.timeout.ms", std::to_string(options.delivery_timeout_ms));
  }
  // The user's raw properties (at the end of props) still win.
  props.insert(props.begin() + static_cast<std::ptrdiff_t>(props.size() - client.extra.size()),
               own.begin(), own.end());
  std::unique_ptr<KafkaProducer> p(new KafkaProducer());
  p->where_ = Servers(client);
  KafkaProducer* self = p.get();
  RC_ASSIGN_OR_RETURN(rd_kafka_t * rk,
                      internal::NewHandle(RD_KAFKA_PRODUCER, props, [self](rd_kafka_conf_t* conf) {
                        rd_kafka_conf_set_opaque(conf, self);
                        rd_kafka_conf_set_dr_msg_cb(
                            conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
                              KafkaProducer::OnDelivery(rk, m, opaque);
                            });
                      }));
  p->rk_ = rk;
  return p;
}

KafkaProducer::~KafkaProducer() {
  if (rk_ == nullptr) return;
  for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(static_cast<rd_kafka_topic_t*>(rkt));
  // Whatever is still queued was never reported as delivered: drop it.
  rd_kafka_purge(Rk(rk_), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(Rk(rk_), 1000);
  rd_kafka_destroy(Rk(rk_));
}

void KafkaProducer::OnDelivery(void*, const void* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  --self->outstanding_;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && self->first_error_.ok()) {
    const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "?";
    self->first_error_ =
        ErrorStatus(m->err, "delivering to topic " + std::string(topic) + " partition " +
                                std::to_string(m->partition) + " on " + self->where_);
  }
}

void* KafkaProducer::TopicHandle(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(Rk(rk_), topic.c_str(), nullptr);
  if (rkt != nullptr) topics_.emplace(topic, rkt);
  return rkt;
}

Status KafkaProducer::Produce(const std::string& topic, const Record& record, int32_t partition) {
  auto* rkt = static_cast<rd_kafka_topic_t*>(TopicHandle(topic));
  if (rkt == nullptr) {
    return ErrorStatus(rd_kafka_last_error(), "opening topic " + topic + " on " + where_);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const RecordHeader& h : record.headers) {
      rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()),
                          h.value.data(), static_cast<ssize_t>(h.value.size()));
    }
  }
  void* key = record.key ? const_cast<char*>(record.key->data()) : nullptr;
  const size_t key_size = record.key ? record.key->size() : 0;
  void* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;
  const size_t value_size = record.value ? record.value->size() : 0;
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        Rk(rk_), RD_KAFKA_V_RKT(rkt),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(record.timestamp_ms),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++outstanding_;  // the headers belong to the message now
      // Serve the delivery reports now and then (each poll takes the queue's lock).
      if ((++produced_ & 255) == 0) rd_kafka_poll(Rk(rk_), 0);
      return Status::Ok();
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(Rk(rk_), 10);  // wait for acknowledgements to make room
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(Rk(rk_), reason, sizeof reason);
      return ErrorStatus(fatal, "producer on " + where_ + " failed fatally", reason)
          .WithDisposition(Disposition::kFatal);
    }
    return ErrorStatus(err, "producing to topic " + topic + " on " + where_);
  }
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(Rk(rk_), static_cast<int>(timeout.count()));
  Status s = std::move(first_error_);
  first_error_ = Status::Ok();
  if (!s.ok()) return s;
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return Status::Timeout(std::to_string(outstanding_) + " messages to " + where_ +
                           " not acknowledged after " + std::to_string(timeout.count()) + " ms");
  }
  return Status::Ok();
}

Status KafkaProducer::InitTransactions(std::chrono::milliseconds timeout) {
  return internal::FromError(rd_kafka_init_transactions(Rk(rk_), static_cast<int>(timeout.count())),
                             "initialising transactions on " + where_);
}

Status KafkaProducer::BeginTransaction() {
  return internal::FromError(rd_kafka_begin_transaction(Rk(rk_)),
                             "beginning a transaction on " + where_);
}

Status KafkaProducer::CommitTransaction(std::chrono::milliseconds timeout) {
  Status s = internal::FromError(
      rd_kafka_commit_transaction(Rk(rk_), static_cast<int>(timeout.count())),
      "committing a transaction on " + where_);
  Status delivery = std::move(first_error_);
  first_error_ = Status::Ok();
  return s.ok() ? delivery : s;
}

Status KafkaProducer::AbortTransaction(std::chrono::milliseconds timeout) {
  Status s = internal::FromError(
      rd_kafka_abort_transaction(Rk(rk_), static_cast<int>(timeout.count())),
      "aborting a transaction on " + where_);
  first_error_ = Status::Ok();  // the aborted messages' failures are expected
  return s;
}

Result<int32_t> KafkaProducer::PartitionCount(const std::string& topic,
                                              std::chrono::milliseconds timeout) {
  auto* rkt = static_cast<rd_kafka_topic_t*>(TopicHandle(topic));
  if (rkt == nullptr) return ErrorStatus(rd_kafka_last_error(), "opening topic " + topic);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(Rk(rk_), 0, rkt, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "reading the metadata of topic " + topic + " from " + where_);
  }
  Status s;
  int32_t count = 0;
  if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    s = ErrorStatus(md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
                    "reading the metadata of topic " + topic + " from " + where_);
  } else {
    count = md->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  if (!s.ok()) return s;
  return count;
}

}  // namespace rivven::kafka
