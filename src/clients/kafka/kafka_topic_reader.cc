#include "clients/kafka/kafka_topic_reader.h"

#include <algorithm>
#include <map>

#include "clients/kafka/kafka_consumer.h"

namespace rivven::kafka {

Status ReadTopicToEnd(const ClientConfig& client, const KafkaAdmin& admin,
                      const std::string& topic, std::vector<int32_t> partitions,
                      std::chrono::milliseconds timeout,
                      const std::function<void(ConsumedRecord&)>& fn) {
  if (partitions.empty()) {
    RC_ASSIGN_OR_RETURN(TopicMetadata md, admin.Topic(topic, timeout));
    for (const auto& p : md.partitions) partitions.push_back(p.id);
  }
  std::vector<PartitionOffset> from;
  std::map<int32_t, int64_t> end;  // partitions still to read, and where they end
  for (int32_t p : partitions) {
    RC_ASSIGN_OR_RETURN(auto marks, admin.Watermarks(topic, p, timeout));
    if (marks.second > marks.first) {
      from.push_back({topic, p, marks.first});
      end[p] = marks.second;
    }
  }
  if (from.empty()) return Status::Ok();

  ConsumerOptions o;  // no group: assigned, nothing committed
  o.read_committed = true;
  RC_ASSIGN_OR_RETURN(auto consumer, KafkaConsumer::Create(client, o));
  RC_RETURN_IF_ERROR(consumer->Assign(from));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Timeout("reading topic " + topic + " to its end took over " +
                             std::to_string(timeout.count()) + " ms");
    }
    RC_ASSIGN_OR_RETURN(auto batch, consumer->Poll(1024, std::chrono::milliseconds(100)));
    for (auto& m : batch) {
      auto it = end.find(m.partition);
      if (it == end.end()) continue;
      const bool last = m.offset.value() + 1 >= it->second;
      fn(m);
      if (last) end.erase(it);
    }
    if (batch.empty()) {
      // Compaction and transaction markers leave gaps: the position says how far it got.
      auto positions = consumer->Positions();
      if (!positions.ok()) continue;
      for (const auto& p : *positions) {
        auto it = end.find(p.partition);
        if (it != end.end() && p.offset >= it->second) end.erase(it);
      }
    }
  }
  return consumer->Close();
}

}  // namespace rivven::kafka
