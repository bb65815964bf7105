#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// Drop: drops the record, for the records its predicate selects (Kafka Connect's Filter).
TransformDescriptor DropDescriptor();
void RegisterDrop(TransformRegistry& registry);

}  // namespace rivven::transforms
