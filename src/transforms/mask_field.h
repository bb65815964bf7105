#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "MaskField": hides the values of listed (nested) fields.
void RegisterMaskField(TransformRegistry& registry);

}  // namespace rivven::transforms
