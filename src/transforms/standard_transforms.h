#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers the transforms users of Kafka Connect and Debezium know (schemaless JSON records):
/// ValueToKey, ExtractField, HoistField, Flatten, Cast, TimestampConverter, RegexRouter,
/// TimestampRouter, InsertHeader, DropHeaders, HeaderFrom, SetNull, Drop and Debezium's outbox
/// EventRouter. Called once at startup by the registry; each transform's own Register function
/// is listed in standard_transforms.cc.
void RegisterStandardTransforms(TransformRegistry& registry);

}  // namespace rivven::transforms
