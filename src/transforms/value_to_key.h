#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// ValueToKey (Kafka Connect): the key becomes an object of fields copied from the value.
TransformDescriptor ValueToKeyDescriptor();
void RegisterValueToKey(TransformRegistry& registry);

}  // namespace rivven::transforms
