#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "Filter": keeps (or drops) the records for which an expression is true.
void RegisterFilter(TransformRegistry& registry);

}  // namespace rivven::transforms
