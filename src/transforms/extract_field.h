#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// ExtractField (Kafka Connect): the value (or key) becomes one of its own fields.
TransformDescriptor ExtractFieldDescriptor();
void RegisterExtractField(TransformRegistry& registry);

}  // namespace rivven::transforms
