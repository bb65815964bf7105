#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "ExtractNewRecordState": Debezium's unwrap of a change-event envelope into the row
/// it describes (delete.handling.mode, drop.tombstones, add.fields, add.headers).
void RegisterExtractNewRecordState(TransformRegistry& registry);

}  // namespace rivven::transforms
