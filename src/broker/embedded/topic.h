#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "broker/broker.h"
#include "broker/embedded/partition_log.h"

namespace rivven::embedded {

/// Kafka's rule, which also makes the name a safe directory name: 1-249 of [a-zA-Z0-9._-],
/// not "." or "..".
Status ValidateTopicName(const std::string& name);

/// topic.json: {"name":..,"partitions":N,"retention_ms":..,"retention_bytes":..,"segment_bytes":..}
std::string EncodeTopicMetadata(const std::string& name, const TopicSpec& spec);
/// Corruption naming `path` when `json` is not what EncodeTopicMetadata writes.
Result<TopicSpec> ParseTopicMetadata(std::string_view json, const std::string& path);

/// One topic: `<topics_dir>/<name>/topic.json` plus one PartitionLog per partition in
/// `<topics_dir>/<name>/<partition>/`. A topic exists once its topic.json does: creation makes
/// the partition directories first and writes topic.json last, atomically (temp + fsync +
/// rename), so a crash never leaves a half-created topic that looks complete.
/// Owned by the broker; never deleted while it is open. Thread-safe.
class Topic {
 public:
  /// AlreadyExists when topic.json is there.
  static Result<std::unique_ptr<Topic>> Create(const std::string& topics_dir,
                                               const std::string& name, const TopicSpec& spec,
                                               const LogConfig& defaults,
                                               std::vector<std::string>* report);
  static Result<std::unique_ptr<Topic>> Open(const std::string& topics_dir, const std::string& name,
                                             const LogConfig& defaults, bool clean_shutdown,
                                             std::vector<std::string>* report);

  const std::string& name() const { return name_; }
  const TopicSpec& spec() const { return spec_; }
  int32_t partition_count() const { return static_cast<int32_t>(partitions_.size()); }
  PartitionLog* partition(int32_t p) const { return partitions_[static_cast<size_t>(p)].get(); }
  /// Round-robin partition for a keyless send ("sticky": one per call).
  int32_t NextStickyPartition() {
    return static_cast<int32_t>(sticky_.fetch_add(1, std::memory_order_relaxed) %
                                partitions_.size());
  }
  TopicInfo Describe() const;
  Status EnforceRetention(TimestampMs now, std::vector<std::string>* removed);
  Status Close();

 private:
  Topic(std::string name, TopicSpec spec) : name_(std::move(name)), spec_(spec) {}
  static LogConfig Resolve(const TopicSpec& spec, const LogConfig& defaults);
  Status OpenPartitions(const std::string& dir, const LogConfig& defaults, bool clean_shutdown,
                        std::vector<std::string>* report);

  const std::string name_;
  const TopicSpec spec_;
  std::vector<std::unique_ptr<PartitionLog>> partitions_;
  std::atomic<uint32_t> sticky_{0};
};

}  // namespace rivven::embedded
