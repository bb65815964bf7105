#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// HeaderFrom (Kafka Connect): copies or moves fields of the value (or key) into headers.
TransformDescriptor HeaderFromDescriptor();
void RegisterHeaderFrom(TransformRegistry& registry);

}  // namespace rivven::transforms
