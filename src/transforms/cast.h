#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// Cast (Kafka Connect): fields (or the whole value / key) cast to another primitive type.
TransformDescriptor CastDescriptor();
void RegisterCast(TransformRegistry& registry);

}  // namespace rivven::transforms
