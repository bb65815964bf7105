#pragma once

#include "transforms/transform.h"

namespace rivven::transforms {

/// TimestampConverter (Kafka Connect): a timestamp field (or the whole value) converted between
/// formatted strings, unix numbers and Kafka Connect's Timestamp / Date / Time.
TransformDescriptor TimestampConverterDescriptor();
void RegisterTimestampConverter(TransformRegistry& registry);

}  // namespace rivven::transforms
