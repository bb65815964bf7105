#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// DropHeaders (Kafka Connect): removes every header with one of the given keys.
TransformDescriptor DropHeadersDescriptor();
void RegisterDropHeaders(TransformRegistry& registry);

}  // namespace rivven::transforms
