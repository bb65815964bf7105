#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "InsertField": adds static values, computed expressions, the processing time and
/// the record's topic/partition/offset as fields of the value.
void RegisterInsertField(TransformRegistry& registry);

}  // namespace rivven::transforms
