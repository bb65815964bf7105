#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// SetNull: makes the value and/or the key null (a tombstone), for the records its predicate
/// selects.
TransformDescriptor SetNullDescriptor();
void RegisterSetNull(TransformRegistry& registry);

}  // namespace rivven::transforms
