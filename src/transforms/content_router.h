#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "ContentRouter": sends each record to a topic chosen by one of its fields.
void RegisterContentRouter(TransformRegistry& registry);

}  // namespace rivven::transforms
