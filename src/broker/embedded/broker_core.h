#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "broker/broker.h"
#include "broker/embedded/embedded_broker.h"
#include "broker/embedded/flusher.h"

namespace rivven::embedded {

class DataDirLock;
class OffsetsStore;
class PartitionLog;
class PartitionReader;
class Topic;
struct LogConfig;

/// The state behind EmbeddedBroker, shared (std::shared_ptr) with its producers and consumers so
/// that they never dangle: the runtime may destroy the broker before them. After Close every
/// operation returns Cancelled. Thread-safe.
class BrokerCore {
 public:
  static Result<std::shared_ptr<BrokerCore>> Open(const EmbeddedBrokerOptions& options);
  ~BrokerCore();
  BrokerCore(const BrokerCore&) = delete;
  BrokerCore& operator=(const BrokerCore&) = delete;

  const EmbeddedBrokerOptions& options() const { return options_; }
  bool read_only() const { return options_.read_only; }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  /// The topic or null. Topics are never removed while the broker is open, so the pointer stays
  /// valid as long as the caller holds the core.
  Topic* FindTopic(const std::string& name);
  std::vector<std::string> ListTopics();
  Status CreateTopic(const std::string& name, const TopicSpec& spec);
  OffsetsStore& offsets() { return *offsets_; }
  WatermarkNotifier& notifier() { return notifier_; }
  /// Queues a partition for the next group commit.
  void MarkDirty(PartitionLog* log) { flusher_->MarkDirty(log); }
  const std::vector<std::string>& report() const { return report_; }

  /// Brackets a Send: false once Close has begun. Close waits until every begun send ended.
  bool BeginSend();
  void EndSend();

  Result<std::vector<ConsumedRecord>> Read(const std::string& topic, int32_t partition, Offset from,
                                           size_t max_records, std::chrono::milliseconds wait);
  Status EnforceRetention();
  Status Close();

 private:
  explicit BrokerCore(EmbeddedBrokerOptions options);
  Status Start();
  /// Opens topics whose topic.json appeared since (all of them on the first call). Topics that
  /// fail to open are skipped with a warning in read-only mode, an error otherwise.
  Status DiscoverTopics(bool clean_shutdown);
  std::string topics_dir() const { return options_.data_dir + "/topics"; }
  LogConfig Defaults() const;

  const EmbeddedBrokerOptions options_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<OffsetsStore> offsets_;
  WatermarkNotifier notifier_;
  std::unique_ptr<Flusher> flusher_;
  std::vector<std::string> report_;  // written only while opening

  mutable std::shared_mutex topics_mu_;
  std::map<std::string, std::unique_ptr<Topic>> topics_;

  std::mutex send_mu_;
  std::condition_variable sends_done_;
  int active_sends_ = 0;
  bool closing_ = false;
  Status close_status_;
  std::atomic<bool> closed_{false};
  bool started_ = false;  ///< Start completed: only then may Close vouch for a clean shutdown

  std::mutex read_cache_mu_;
  /// Read positions of recent Read calls, one per partition at most (bounded by kReadCacheSize).
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionReader>> read_cache_;
};

}  // namespace rivven::embedded
