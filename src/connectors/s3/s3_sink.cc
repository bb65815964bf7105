#include "connectors/s3/s3_sink.h"

#include <limits>

#include "base/log.h"
#include "clients/s3/s3_client.h"
#include "connectors/registry.h"
#include "connectors/s3/s3_object_key.h"

namespace rivven {
namespace s3 {
namespace {

constexpr std::string_view kLog = "s3";

Result<S3Options> ClientOptions(const S3SinkConfig& c) {
  S3Options o;
  o.region = c.region;
  o.endpoint = c.endpoint;
  o.force_path_style = c.force_path_style;
  RC_ASSIGN_OR_RETURN(o.credentials, ResolveCredentials(c.access_key_id, c.secret_access_key));
  o.verify_tls = c.verify_tls;
  o.ca_path = c.ca_path;
  o.tls_owner = c.tls_owner;
  o.max_attempts = static_cast<int>(c.max_attempts);
  o.multipart_threshold = c.multipart_threshold_bytes;
  o.part_size = c.part_size_bytes;
  return o;
}

}  // namespace

S3Sink::S3Sink(S3SinkConfig config, RecordErrorHandler* errors, ConnectorMetrics* metrics)
    : config_(std::move(config)), errors_(errors) {
  ConnectorMetrics& m = metrics != nullptr ? *metrics : own_metrics_;
  objects_metric_ = &m.Counter("s3_objects_total", "Objects written to the bucket.");
  bytes_metric_ = &m.Counter("s3_bytes_total", "Bytes of the objects written.");
  upload_latency_ = &m.Histogram("s3_upload_duration_seconds",
                                 "Time to write one object, retries and multipart included.");
}

S3Sink::~S3Sink() { uploads_.reset(); }

Status S3Sink::Open() {
  uploads_.reset();
  clients_.clear();
  for (int64_t i = 0; i < config_.max_in_flight; ++i) {
    RC_ASSIGN_OR_RETURN(S3Options o, ClientOptions(config_));
    RC_ASSIGN_OR_RETURN(auto client, S3Client::Create(std::move(o)));
    clients_.push_back(std::move(client));
  }
  open_.clear();
  uploading_.clear();
  failure_ = Status::Ok();
  // One lane per thread: objects are independent (keys by first offset, commits below the
  // oldest one not written), so any thread may take any object. At most one cut batch waits
  // for a thread (memory).
  uploads_ = std::make_unique<OrderedLanes>(clients_.size(), 1);
  lanes_.clear();
  for (size_t i = 0; i < clients_.size(); ++i) lanes_.push_back(uploads_->AddLane());
  return Status::Ok();
}

Status S3Sink::Failure() {
  std::lock_guard<std::mutex> l(mu_);
  return failure_;
}

Status S3Sink::Reject(const ConsumedRecord& r, const Status& why) {
  counters_.rejected++;
  const std::string reason =
      std::string(ObjectFormatName(config_.format)) + " object: " + why.message();
  if (errors_ == nullptr) {
    return Status::FailedPrecondition(reason + " (record " + RecordPosition(r) + ")");
  }
  return errors_->Reject(RejectedSinkRecord(r, reason));
}

Status S3Sink::Write(const std::vector<ConsumedRecord>& records) {
  std::map<int64_t, Batch>* batches = nullptr;
  const TopicPartition* tp = nullptr;
  for (const ConsumedRecord& r : records) {
    if (tp == nullptr || tp->second != r.partition || tp->first != r.topic) {
      auto it = open_.try_emplace({r.topic, r.partition}).first;
      tp = &it->first;
      batches = &it->second;
    }
    const int64_t bucket = TimeBucketOf(config_.partition_by, r.record.timestamp_ms);
    auto [it, added] = batches->try_emplace(bucket);
    Batch& b = it->second;
    if (added) {
      b.bucket_ms = bucket;
      b.opened = now_();
      RC_ASSIGN_OR_RETURN(b.encoder, ObjectEncoder::Create(config_.format, config_.compression));
    }
    if (Status s = b.encoder->Append(r); !s.ok()) {
      if (s.code() != StatusCode::kInvalidArgument) return s;
      RC_RETURN_IF_ERROR(Reject(r, s));
      if (b.records == 0) batches->erase(it);
      continue;
    }
    if (b.records++ == 0) b.first_offset = r.offset;
    if (b.records >= config_.batch_size) {
      Batch full = std::move(b);
      batches->erase(it);
      Dispatch(*tp, std::move(full));
    }
  }
  CutDue(false);
  return Failure();
}

void S3Sink::Dispatch(const TopicPartition& tp, Batch batch) {
  {
    std::lock_guard<std::mutex> l(mu_);
    uploading_.emplace(tp, batch.first_offset);
  }
  auto job = [this, tp, b = std::make_shared<Batch>(std::move(batch))](size_t worker) {
    const Status s = Upload(*clients_[worker], tp, *b);
    std::lock_guard<std::mutex> l(mu_);
    uploading_.erase(uploading_.find({tp, b->first_offset}));
    if (!s.ok() && failure_.ok()) failure_ = s;
    return s.ok();
  };
  uploads_->Push(lanes_[next_lane_++ % lanes_.size()], std::move(job));
}

Status S3Sink::Upload(S3Client& client, const TopicPartition& tp, Batch& batch) {
  const auto started = std::chrono::steady_clock::now();
  RC_ASSIGN_OR_RETURN(std::string body, batch.encoder->Finish());
  const std::string key =
      ObjectKey(config_, tp.first, tp.second, batch.bucket_ms, batch.first_offset);
  if (Status s = client.PutObject(config_.bucket, key, body,
                                    ObjectContentType(config_.format, config_.compression));
      !s.ok()) {
    return s.WithContext("writing s3://" + config_.bucket + "/" + key);
  }
  counters_.objects++;
  counters_.bytes += body.size();
  counters_.records += static_cast<uint64_t>(batch.records);
  objects_metric_->fetch_add(1, std::memory_order_relaxed);
  bytes_metric_->fetch_add(body.size(), std::memory_order_relaxed);
  upload_latency_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  log::Debug(kLog, "wrote s3://{}/{} ({} records, {} bytes)", config_.bucket, key, batch.records,
             body.size());
  return Status::Ok();
}

void S3Sink::CutDue(bool everything) {
  const auto now = now_();
  for (auto tp_it = open_.begin(); tp_it != open_.end();) {
    auto& batches = tp_it->second;
    for (auto it = batches.begin(); it != batches.end();) {
      if (everything || now - it->second.opened >= config_.batch_timeout) {
        Batch cut = std::move(it->second);
        it = batches.erase(it);
        Dispatch(tp_it->first, std::move(cut));
      } else {
        ++it;
      }
    }
    tp_it = batches.empty() ? open_.erase(tp_it) : std::next(tp_it);
  }
}

Status S3Sink::Flush() {
  CutDue(false);
  return Failure();
}

Status S3Sink::FlushAll() {
  CutDue(true);
  uploads_->Wait();
  return Failure();
}

std::optional<Offset> S3Sink::FirstHeld(const std::string& topic, int32_t partition) const {
  std::optional<Offset> first;
  if (auto it = open_.find({topic, partition}); it != open_.end()) {
    for (const auto& [bucket, b] : it->second) {
      if (b.records > 0 && (!first || b.first_offset < *first)) first = b.first_offset;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  const TopicPartition tp{topic, partition};
  if (auto it = uploading_.lower_bound({tp, Offset(std::numeric_limits<int64_t>::min())});
      it != uploading_.end() && it->first == tp && (!first || it->second < *first)) {
    first = it->second;
  }
  return first;
}

Status S3Sink::Close() {
  // Batches not written (open, queued, or failed): their records were not committed and are
  // read again. The object being uploaded now is finished first.
  uploads_.reset();
  open_.clear();
  uploading_.clear();
  clients_.clear();
  return Status::Ok();
}

}  // namespace s3

void RegisterS3Sink(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "s3";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Writes records to Amazon S3 or S3-compatible storage as objects of batch_size records "
      "(jsonl, json, csv or parquet; gzip, zstd or snappy), in Hive-style time folders; object "
      "keys come from topic, partition and first offset, so a replay rewrites the same objects";
  d.schema = s3::S3SinkSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(s3::S3SinkConfig c, s3::S3SinkConfigFromBound(bound));
    return std::unique_ptr<Sink>(
        std::make_unique<s3::S3Sink>(std::move(c), context.errors, context.metrics));
  };
  // The bucket exists and the credentials may use it; nothing is written.
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(s3::S3SinkConfig c, s3::S3SinkConfigFromBound(bound));
    RC_ASSIGN_OR_RETURN(s3::S3Options o, s3::ClientOptions(c));
    RC_ASSIGN_OR_RETURN(auto client, s3::S3Client::Create(std::move(o)));
    return client->CheckBucket(c.bucket);
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
