#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/types.h"

namespace rivven {

struct RecordHeader {
  std::string key;
  std::string value;  ///< bytes
};

/// A Kafka-shaped record as a source (or transform) produces it. `key`/`value` are bytes
/// (UTF-8 JSON by default) or null. Owned by value and moved through the pipeline.
struct Record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;
  TimestampMs timestamp_ms = 0;
  /// Destination topic; empty means the source's configured `topic`. Set by sources that route
  /// per table and by routing transforms.
  std::string topic;

  /// Bytes this record occupies in queues (for byte-bounded backpressure).
  size_t ApproximateBytes() const {
    size_t n = sizeof(Record) + (key ? key->size() : 0) + (value ? value->size() : 0) + topic.size();
    for (const auto& h : headers) n += h.key.size() + h.value.size() + sizeof(RecordHeader);
    return n;
  }
};

/// A record read back from a topic: the record plus where it is stored.
struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  Offset offset;
  Record record;  ///< record.topic is empty; use `topic`
};

}  // namespace rivven
