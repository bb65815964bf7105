#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers `Plugin`: a transform implemented by a native plugin (include/rivven/plugin.h),
/// configured with `path` and `plugin_config`. The plugin sees each record as bytes and returns
/// it changed or drops it; a plugin error is this record's error (the connector's on_error
/// applies), and a retriable one is reported as such.
void RegisterPluginTransform(TransformRegistry& registry);

}  // namespace rivven::transforms
