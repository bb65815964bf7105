#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/broker.h"
#include "broker/embedded/record_batch.h"

namespace rivven::embedded {

class BrokerCore;
class PartitionLog;
class Topic;

/// Producer of the embedded broker. Send routes each record (keyed: murmur2 partitioner; keyless:
/// one round-robin partition per call and topic), encodes each partition's records into
/// RecordBatch v2 batches of ~256 KiB outside any lock, appends them about 1 MiB at a time (while
/// the encoding is still in the CPU's cache), queues the partitions for
/// the flusher and waits until they are durable (flush_interval_ms = 0) or returns at once
/// (flush_interval_ms > 0). Buffers are reused across calls, so steady sending allocates nothing
/// beyond the records themselves. Records over 512 MiB are rejected (InvalidArgument). If an
/// append fails (disk full), records of the same call already appended (earlier in that
/// partition, or to other partitions) stay
/// and become durable: a retry duplicates them (at-least-once), it never loses them.
///
/// One per source task; not thread-safe. May outlive the broker (then Send returns Cancelled).
class EmbeddedProducer final : public Producer {
 public:
  explicit EmbeddedProducer(std::shared_ptr<BrokerCore> core);
  ~EmbeddedProducer() override;

  Status Send(const std::string& topic, std::vector<Record>& records) override;

 private:
  /// Records of one call going to one partition, and their encoding.
  struct PartitionRoute {
    PartitionLog* log = nullptr;
    std::vector<const Record*> records;
    EncodeBuffer encoded;
    Offset end;  ///< offset after the appended batches
  };
  /// Per-call routing state of one topic: route index per partition, or -1.
  struct TopicRouting {
    Topic* topic = nullptr;
    int32_t sticky = 0;
    std::vector<int32_t> route_of;
  };

  Result<Topic*> Lookup(const std::string& name);
  Result<TopicRouting*> RoutingFor(const std::string& name);
  Status RouteRecords(const std::string& topic, const std::vector<Record>& records);
  Status SendRoutes(size_t count);

  std::shared_ptr<BrokerCore> core_;
  std::unordered_map<std::string, Topic*> topics_;  // topics never go away while core_ lives
  std::vector<TopicRouting> routing_;
  size_t routing_used_ = 0;
  std::vector<PartitionRoute> routes_;
  size_t routes_used_ = 0;
};

}  // namespace rivven::embedded
