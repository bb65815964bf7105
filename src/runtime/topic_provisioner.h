#pragma once

#include "base/status.h"
#include "broker/broker.h"
#include "runtime/pipeline_plan.h"

namespace rivven {

/// Makes sure every topic the enabled sources write and the enabled sinks read exists before
/// any runner starts, following `settings.topic` and each source's `topic_config`:
/// auto_create creates a missing topic (partitions: topic_config.partitions, else
/// default_partitions); with auto_create off, a missing topic is an error when
/// require_topic_exists is true and a warning otherwise; validate_existing warns when an
/// existing topic's partition count differs from the requested one. `embedded` notes that a
/// replication factor above 1 has no meaning for the embedded broker.
Status ProvisionTopics(const PipelinePlan& plan, Broker& broker, bool embedded);

}  // namespace rivven
