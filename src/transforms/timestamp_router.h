#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// TimestampRouter (Kafka Connect): the topic becomes a pattern of the topic and the record's
/// timestamp, e.g. orders-20231114.
TransformDescriptor TimestampRouterDescriptor();
void RegisterTimestampRouter(TransformRegistry& registry);

}  // namespace rivven::transforms
