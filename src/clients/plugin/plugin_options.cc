#include "clients/plugin/plugin_options.h"

#include "clients/plugin/plugin_library.h"
#include "config/node_json.h"

namespace rivven::plugin_host {

using config::Key;
using config::ValueType;

config::Schema PluginSchema(rivven_plugin_kind kind) {
  config::Schema s;
  s.Add(Key("path", ValueType::kString,
            std::string("the native plugin: a shared library (.so) exporting a ") +
                KindName(kind) +
                " through rivven_plugin_entry (include/rivven/plugin.h, ABI version " +
                std::to_string(RIVVEN_PLUGIN_ABI_VERSION) +
                "); relative paths are taken from the working directory")
            .Required());
  s.Add(Key("plugin_config", ValueType::kAny,
            "anything (a map, usually): handed to the plugin's create as JSON text"));
  return s;
}

Result<PluginOptions> PluginOptionsFromBound(const config::BoundConfig& bound) {
  PluginOptions o;
  o.path = bound.GetString("path");
  if (o.path.empty()) return Status::InvalidArgument(bound.path() + ".path: must not be empty");
  const config::Node* raw = bound.Raw("plugin_config");
  o.config_json = raw == nullptr ? "null" : config::NodeToJson(*raw);
  return o;
}

}  // namespace rivven::plugin_host
