#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/kafka/kafka_admin.h"
#include "clients/kafka/kafka_config.h"
#include "record/record.h"

namespace rivven::kafka {

/// Reads `partitions` of `topic` (all of them when empty) from their first stored record to
/// the end they have now, committed records only (read_committed), and hands each record to
/// `fn` in offset order per partition. For bookkeeping topics that are read whole at startup
/// (checkpoints, a sink's transaction markers). kTimeout after `timeout`.
Status ReadTopicToEnd(const ClientConfig& client, const KafkaAdmin& admin,
                      const std::string& topic, std::vector<int32_t> partitions,
                      std::chrono::milliseconds timeout,
                      const std::function<void(ConsumedRecord&)>& fn);

}  // namespace rivven::kafka
