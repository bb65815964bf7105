#include "clients/kafka/kafka_consumer.h"

#include "base/log.h"
#include "clients/kafka/kafka_error.h"
#include "clients/kafka/kafka_handle.h"

namespace rivven::kafka {
namespace {

constexpr std::string_view kComponent = "kafka";

rd_kafka_t* Rk(void* p) { return static_cast<rd_kafka_t*>(p); }

/// An owned rd_kafka_topic_partition_list_t.
class PartitionList {
 public:
  explicit PartitionList(size_t n) : list_(rd_kafka_topic_partition_list_new(static_cast<int>(n))) {}
  explicit PartitionList(rd_kafka_topic_partition_list_t* taken) : list_(taken) {}
  ~PartitionList() {
    if (list_ != nullptr) rd_kafka_topic_partition_list_destroy(list_);
  }
  PartitionList(PartitionList&& o) noexcept : list_(o.list_) { o.list_ = nullptr; }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;

  static PartitionList From(const std::vector<PartitionOffset>& offsets) {
    PartitionList l(offsets.size());
    for (const auto& o : offsets) {
      rd_kafka_topic_partition_list_add(l.get(), o.topic.c_str(), o.partition)->offset = o.offset;
    }
    return l;
  }
  std::vector<PartitionOffset> ToVector() const {
    std::vector<PartitionOffset> out;
    if (list_ == nullptr) return out;
    out.reserve(static_cast<size_t>(list_->cnt));
    for (int i = 0; i < list_->cnt; ++i) {
      const auto& e = list_->elems[i];
      out.push_back({e.topic, e.partition, e.offset});
    }
    return out;
  }
  /// The first per-partition error, Ok when none.
  Status FirstError(std::string_view what) const {
    for (int i = 0; list_ != nullptr && i < list_->cnt; ++i) {
      const auto& e = list_->elems[i];
      if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ErrorStatus(e.err, std::string(what) + " (topic " + e.topic + " partition " +
                                      std::to_string(e.partition) + ")");
      }
    }
    return Status::Ok();
  }
  rd_kafka_topic_partition_list_t* get() const { return list_; }

 private:
  rd_kafka_topic_partition_list_t* list_;
};

void CopyMessage(const rd_kafka_message_t* m, ConsumedRecord* out) {
  out->topic = rd_kafka_topic_name(m->rkt);
  out->partition = m->partition;
  out->offset = Offset(m->offset);
  Record& r = out->record;
  if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t type;
  const int64_t ts = rd_kafka_message_timestamp(m, &type);
  r.timestamp_ms = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? 0 : ts;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.push_back(
          {name, value != nullptr ? std::string(static_cast<const char*>(value), size) : ""});
    }
  }
}

}  // namespace

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(const ClientConfig& client,
                                                             const ConsumerOptions& options) {
  if (options.auto_offset_reset != "earliest" && options.auto_offset_reset != "latest") {
    return Status::InvalidArgument("start position '" + options.auto_offset_reset +
                                   "' is not one of earliest, latest");
  }
  RC_ASSIGN_OR_RETURN(Properties props, ClientProperties(client));
  internal::WarnIfTlsUnverified(client);
  Properties own = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "false"},
      {"auto.offset.reset", options.auto_offset_reset},
      {"isolation.level", options.read_committed ? "read_committed" : "read_uncommitted"},
      {"session.timeout.ms", std::to_string(options.session_timeout_ms)},
      {"max.poll.interval.ms", std::to_string(options.max_poll_interval_ms)},
  };
  // librdkafka's consumer needs a group id even to be assigned partitions; one that is never
  // joined (no Subscribe) nor committed to (Commit refuses) stands in.
  own.emplace_back("group.id",
                   options.group_id.empty() ? "rivven-connect-unjoined" : options.group_id);
  props.insert(props.begin() + static_cast<std::ptrdiff_t>(props.size() - client.extra.size()),
               own.begin(), own.end());
  RC_ASSIGN_OR_RETURN(rd_kafka_t * rk, internal::NewHandle(RD_KAFKA_CONSUMER, props));
  std::unique_ptr<KafkaConsumer> c(new KafkaConsumer());
  c->rk_ = rk;
  c->grouped_ = !options.group_id.empty();
  for (const auto& s : client.bootstrap_servers) c->where_ += (c->where_.empty() ? "" : ",") + s;
  rd_kafka_poll_set_consumer(rk);  // errors and rebalances arrive with the messages
  c->queue_ = rd_kafka_queue_get_consumer(rk);
  return c;
}

KafkaConsumer::~KafkaConsumer() {
  if (rk_ == nullptr) return;
  (void)Close();
  if (queue_ != nullptr) rd_kafka_queue_destroy(static_cast<rd_kafka_queue_t*>(queue_));
  rd_kafka_destroy(Rk(rk_));
}

Status KafkaConsumer::Subscribe(const std::vector<std::string>& topics) {
  if (!grouped_) return Status::FailedPrecondition("a consumer without a group cannot subscribe");
  PartitionList list(topics.size());
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(Rk(rk_), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "subscribing to topics on " + where_);
  }
  return Status::Ok();
}

Status KafkaConsumer::Assign(const std::vector<PartitionOffset>& from) {
  PartitionList list = PartitionList::From(from);
  const rd_kafka_resp_err_t err = rd_kafka_assign(Rk(rk_), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "assigning partitions on " + where_);
  }
  return Status::Ok();
}

Result<std::vector<ConsumedRecord>> KafkaConsumer::Poll(size_t max,
                                                        std::chrono::milliseconds wait) {
  std::vector<ConsumedRecord> out;
  int timeout = static_cast<int>(wait.count());
  while (out.size() < max) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(Rk(rk_), timeout);
    if (m == nullptr) break;  // nothing more in time, or a Wakeup
    timeout = 0;              // take what is ready, wait no more
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const rd_kafka_resp_err_t err = m->err;
      const std::string detail = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char reason[512];
        const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(Rk(rk_), reason, sizeof reason);
        return ErrorStatus(fatal, "consumer on " + where_ + " failed fatally", reason)
            .WithDisposition(Disposition::kFatal);
      }
      if (IsAuthError(err)) return ErrorStatus(err, "consuming from " + where_, detail);
      log::Warn(kComponent, "consuming from {}: {} ({})", where_, detail,
                rd_kafka_err2name(err));
      continue;
    }
    CopyMessage(m, &out.emplace_back());
    rd_kafka_message_destroy(m);
  }
  return out;
}

Status KafkaConsumer::Commit(const std::vector<PartitionOffset>& offsets) {
  if (offsets.empty()) return Status::Ok();
  if (!grouped_) return Status::FailedPrecondition("a consumer without a group cannot commit");
  PartitionList list = PartitionList::From(offsets);
  const rd_kafka_resp_err_t err = rd_kafka_commit(Rk(rk_), list.get(), 0 /* synchronous */);
  const std::string what = "committing offsets on " + where_;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorStatus(err, what);
  return list.FirstError(what);
}

Result<std::vector<PartitionOffset>> KafkaConsumer::Assignment() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_assignment(Rk(rk_), &raw);
  PartitionList list(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "reading the assignment on " + where_);
  }
  return list.ToVector();
}

Result<std::vector<PartitionOffset>> KafkaConsumer::Positions() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_assignment(Rk(rk_), &raw);
  PartitionList list(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "reading the assignment on " + where_);
  }
  err = rd_kafka_position(Rk(rk_), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(err, "reading positions on " + where_);
  }
  return list.ToVector();
}

Result<std::vector<PartitionOffset>> KafkaConsumer::Committed(
    const std::vector<PartitionOffset>& of, std::chrono::milliseconds timeout) const {
  PartitionList list = PartitionList::From(of);
  const std::string what = "reading committed offsets on " + where_;
  const rd_kafka_resp_err_t err =
      rd_kafka_committed(Rk(rk_), list.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorStatus(err, what);
  RC_RETURN_IF_ERROR(list.FirstError(what));
  return list.ToVector();
}

void KafkaConsumer::Wakeup() {
  if (queue_ != nullptr) rd_kafka_queue_yield(static_cast<rd_kafka_queue_t*>(queue_));
}

Status KafkaConsumer::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  const rd_kafka_resp_err_t err = rd_kafka_consumer_close(Rk(rk_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorStatus(err, "leaving the group on " + where_);
  return Status::Ok();
}

}  // namespace rivven::kafka
