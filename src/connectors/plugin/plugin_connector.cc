#include "connectors/plugin/plugin_connector.h"

#include "clients/plugin/plugin_options.h"
#include "connectors/plugin/plugin_sink.h"
#include "connectors/plugin/plugin_source.h"
#include "connectors/registry.h"

namespace rivven {
namespace plugin_host {

namespace {

Result<std::unique_ptr<PluginInstance>> MakeInstance(const config::BoundConfig& bound,
                                                     rivven_plugin_kind kind,
                                                     const ConnectorContext& context) {
  RC_ASSIGN_OR_RETURN(PluginOptions options, PluginOptionsFromBound(bound));
  auto instance = PluginInstance::Create(options.path, kind, options.config_json, context.name);
  if (!instance.ok()) return instance.status().WithContext(bound.path());
  return instance;
}

// `check`: the library loads, is a plugin of this ABI version and kind, and accepts its config.
Status CheckPlugin(const config::BoundConfig& bound, rivven_plugin_kind kind) {
  RC_ASSIGN_OR_RETURN(PluginOptions options, PluginOptionsFromBound(bound));
  auto instance = PluginInstance::Create(options.path, kind, options.config_json, "check");
  return instance.ok() ? Status::Ok() : instance.status().WithContext(bound.path());
}

}  // namespace
}  // namespace plugin_host

void RegisterPlugin(Registry& registry) {
  using plugin_host::PluginSchema;
  ConnectorDescriptor source;
  source.name = "plugin";
  source.kind = ConnectorKind::kSource;
  source.description =
      "A source written as a native plugin: a shared library on rivven-connect's C plugin ABI "
      "(include/rivven/plugin.h; C++ helpers in plugin.hpp, any language with a C ABI works), "
      "running inside the process. See docs/plugins.md";
  source.schema = PluginSchema(RIVVEN_PLUGIN_SOURCE);
  source.make_source = [](const config::BoundConfig& bound,
                          const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(auto instance,
                        plugin_host::MakeInstance(bound, RIVVEN_PLUGIN_SOURCE, context));
    return std::unique_ptr<Source>(std::make_unique<plugin_host::PluginSource>(std::move(instance)));
  };
  source.check = [](const config::BoundConfig& bound) {
    return plugin_host::CheckPlugin(bound, RIVVEN_PLUGIN_SOURCE);
  };
  registry.Add(std::move(source));

  ConnectorDescriptor sink;
  sink.name = "plugin";
  sink.kind = ConnectorKind::kSink;
  sink.description =
      "A sink written as a native plugin (include/rivven/plugin.h): records go to its write, "
      "offsets are committed after its commit returns. See docs/plugins.md";
  sink.schema = PluginSchema(RIVVEN_PLUGIN_SINK);
  sink.make_sink = [](const config::BoundConfig& bound,
                      const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(auto instance,
                        plugin_host::MakeInstance(bound, RIVVEN_PLUGIN_SINK, context));
    return std::unique_ptr<Sink>(std::make_unique<plugin_host::PluginSink>(std::move(instance)));
  };
  sink.check = [](const config::BoundConfig& bound) {
    return plugin_host::CheckPlugin(bound, RIVVEN_PLUGIN_SINK);
  };
  registry.Add(std::move(sink));
}

}  // namespace rivven
