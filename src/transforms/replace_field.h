#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "ReplaceField": renames, drops or keeps only some fields of the value.
void RegisterReplaceField(TransformRegistry& registry);

}  // namespace rivven::transforms
