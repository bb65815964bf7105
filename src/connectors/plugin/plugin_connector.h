#pragma once

namespace rivven {

class Registry;

/// Registers `connector: plugin` as a source and as a sink: a native plugin (a shared library on
/// the C ABI of include/rivven/plugin.h) named by `path`, configured by `plugin_config`. The keys
/// are declared once in clients/plugin/plugin_options.h, shared with the `Plugin` transform.
void RegisterPlugin(Registry& registry);

}  // namespace rivven
