#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// Flatten (Kafka Connect): nested objects become top-level fields joined by a delimiter.
TransformDescriptor FlattenDescriptor();
void RegisterFlatten(TransformRegistry& registry);

}  // namespace rivven::transforms
