#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// InsertHeader (Kafka Connect): adds a header with a fixed value to every record.
TransformDescriptor InsertHeaderDescriptor();
void RegisterInsertHeader(TransformRegistry& registry);

}  // namespace rivven::transforms
