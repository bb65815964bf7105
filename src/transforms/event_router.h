#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// Debezium's outbox EventRouter: a change event of an outbox table becomes the event it
/// carries, routed to a topic per aggregate type.
TransformDescriptor EventRouterDescriptor();
void RegisterEventRouter(TransformRegistry& registry);

}  // namespace rivven::transforms
