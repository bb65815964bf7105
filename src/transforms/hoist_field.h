#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// HoistField (Kafka Connect): the value (or key) is wrapped into an object under one field.
TransformDescriptor HoistFieldDescriptor();
void RegisterHoistField(TransformRegistry& registry);

}  // namespace rivven::transforms
