#pragma once

#include <string>

#include "base/status.h"
#include "config/schema.h"
#include "rivven/plugin.h"

namespace rivven::plugin_host {

/// The config of a native plugin, the same for `connector: plugin` sources and sinks and the
/// `Plugin` transform. Immutable after construction.
struct PluginOptions {
  std::string path;         ///< the shared library
  std::string config_json;  ///< `plugin_config` as JSON text; "null" when not given
};

/// The single declaration of the keys: `path` and `plugin_config` (any YAML, given to the
/// plugin as JSON). `kind` only words the descriptions.
config::Schema PluginSchema(rivven_plugin_kind kind);

/// Reads a config bound against PluginSchema().
Result<PluginOptions> PluginOptionsFromBound(const config::BoundConfig& bound);

}  // namespace rivven::plugin_host
