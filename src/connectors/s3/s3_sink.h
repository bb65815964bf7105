#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "connectors/s3/s3_object_encoder.h"
#include "connectors/s3/s3_sink_config.h"

namespace rivven {

class Registry;

/// Registers the "s3" sink.
void RegisterS3Sink(Registry& registry);

namespace s3 {

class S3Client;

/// What the sink has done, for tests and metrics.
struct S3SinkCounters {
  std::atomic<uint64_t> objects{0};  ///< objects written (S3 answered 200)
  std::atomic<uint64_t> bytes{0};    ///< their bytes
  std::atomic<uint64_t> records{0};  ///< records in them
  std::atomic<uint64_t> rejected{0};  ///< records the format could not hold (to on_error)
};

/// Writes records to S3 (or S3-compatible storage) as objects of `batch_size` records per
/// topic, partition and time folder (partition_by, by record timestamp). An object is written
/// when its batch is full, `batch_timeout` after the batch's first record, and for every batch
/// when the sink stops (FlushAll). Batches held across Flushes are named by FirstHeld, so the
/// runner commits offsets only up to the first record not yet in an object that exists.
///
/// Object keys depend only on topic, partition, time folder and the batch's first offset: after
/// a crash the records since the last commit are read again and their batches rewrite the same
/// keys (exactly one object per key). See docs/s3.md for when a replay can still duplicate.
///
/// Owned by the sink runner; every call comes from its thread.
class S3Sink final : public Sink {
 public:
  S3Sink(S3SinkConfig config, RecordErrorHandler* errors, ConnectorMetrics* metrics = nullptr);
  ~S3Sink() override;

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status FlushAll() override;
  std::optional<Offset> FirstHeld(const std::string& topic, int32_t partition) const override;
  Status Close() override;

  const S3SinkCounters& counters() const { return counters_; }
  /// For tests: a clock other than steady_clock (batch_timeout).
  void SetClockForTest(std::chrono::steady_clock::time_point (*now)()) { now_ = now; }

 private:
  struct Batch {
    int64_t bucket_ms = 0;
    Offset first_offset;
    int64_t records = 0;
    std::chrono::steady_clock::time_point opened;
    std::unique_ptr<ObjectEncoder> encoder;
  };
  using TopicPartition = std::pair<std::string, int32_t>;
  /// Writes the batch's object.
  Status Upload(const TopicPartition& tp, Batch& batch);
  /// Writes every batch opened at least batch_timeout ago (all of them with `everything`).
  Status UploadDue(bool everything);
  Status Reject(const ConsumedRecord& record, const Status& why);

  S3SinkConfig config_;
  RecordErrorHandler* errors_;
  std::unique_ptr<S3Client> client_;
  /// Open batches per partition, by time folder.
  std::map<TopicPartition, std::map<int64_t, Batch>> open_;
  S3SinkCounters counters_;
  std::atomic<uint64_t>* objects_metric_ = nullptr;
  std::atomic<uint64_t>* bytes_metric_ = nullptr;
  LatencyHistogram* upload_latency_ = nullptr;
  ConnectorMetrics own_metrics_;
  std::chrono::steady_clock::time_point (*now_)() = &std::chrono::steady_clock::now;
};

}  // namespace s3
}  // namespace rivven
