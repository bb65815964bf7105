#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/ordered_lanes.h"
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
/// topic, partition and time folder (partition_by, by record timestamp). A batch is cut when it
/// is full, `batch_timeout` after its first record, and for every batch when the sink stops
/// (FlushAll); a cut batch is compressed (or encoded as Parquet) and uploaded by one of
/// `max_in_flight` upload threads while the runner reads on. Batches open or on their way are
/// named by FirstHeld, so the runner commits offsets only up to the first record not yet in an
/// object that exists. An upload failure is returned by the next Write, Flush or FlushAll.
///
/// Object keys depend only on topic, partition, time folder and the batch's first offset: after
/// a crash the records since the last commit are read again and their batches rewrite the same
/// keys (exactly one object per key). See docs/s3.md for when a replay can still duplicate.
///
/// Owned by the sink runner; every call comes from its thread (uploads run on the pool's).
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
  /// Waits until every batch cut so far is written or failed (tests; FlushAll does it too).
  void WaitForUploads() { uploads_->Wait(); }
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
  /// Hands the batch to the upload threads (waits when max_in_flight are queued already).
  void Dispatch(const TopicPartition& tp, Batch batch);
  /// Compresses or encodes the batch's object and writes it (on an upload thread).
  Status Upload(S3Client& client, const TopicPartition& tp, Batch& batch);
  /// Cuts every batch opened at least batch_timeout ago (all of them with `everything`).
  void CutDue(bool everything);
  Status Reject(const ConsumedRecord& record, const Status& why);
  /// The first upload failure, if any.
  Status Failure();

  S3SinkConfig config_;
  RecordErrorHandler* errors_;
  std::vector<std::unique_ptr<S3Client>> clients_;  ///< one per upload thread
  /// Open batches per partition, by time folder.
  std::map<TopicPartition, std::map<int64_t, Batch>> open_;
  mutable std::mutex mu_;  ///< guards the two below (upload threads write them)
  /// First offsets of the batches cut and not written yet.
  std::multiset<std::pair<TopicPartition, Offset>> uploading_;
  Status failure_;
  size_t next_lane_ = 0;
  std::vector<size_t> lanes_;
  S3SinkCounters counters_;
  std::atomic<uint64_t>* objects_metric_ = nullptr;
  std::atomic<uint64_t>* bytes_metric_ = nullptr;
  LatencyHistogram* upload_latency_ = nullptr;
  ConnectorMetrics own_metrics_;
  std::chrono::steady_clock::time_point (*now_)() = &std::chrono::steady_clock::now;
  std::unique_ptr<OrderedLanes> uploads_;  ///< last: its threads use everything above
};

}  // namespace s3
}  // namespace rivven
