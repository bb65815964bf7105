#pragma once

#include <cstdint>
#include <string_view>

namespace rivven {

/// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c), bit for bit,
/// so keyed records land in the same partition here and in a Kafka producer. Thread-safe.
int32_t Murmur2(std::string_view data);

/// Kafka's default partitioner for keyed records: toPositive(murmur2(key)) % partitions,
/// where toPositive clears the sign bit. `partitions` must be > 0.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

}  // namespace rivven
