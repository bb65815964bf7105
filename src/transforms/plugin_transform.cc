#include "transforms/plugin_transform.h"

#include <memory>
#include <utility>

#include "clients/plugin/plugin_instance.h"
#include "clients/plugin/plugin_options.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

/// Calls the plugin's transform for each record. Apply is called from one runner thread at a
/// time (Transform's contract), which is the ABI's one-thread-per-instance rule.
class PluginTransform final : public Transform {
 public:
  explicit PluginTransform(std::unique_ptr<plugin_host::PluginInstance> instance)
      : instance_(std::move(instance)) {}
  ~PluginTransform() override {
    Status closed = instance_->Close();
    (void)closed;  // nothing to report it to at teardown; the plugin logs its own failures
  }

  Result<Outcome> Apply(RecordContext& record) override {
    // Changes of earlier transforms are still in the DOM: the plugin must see them as bytes.
    record.Commit();
    const std::string topic(record.topic());
    RC_ASSIGN_OR_RETURN(std::optional<Record> out, instance_->Transform(record.record(), topic));
    if (!out) return Outcome::kDrop;
    Record& r = record.record();
    r.key = std::move(out->key);
    r.value = std::move(out->value);
    r.headers = std::move(out->headers);
    if (out->timestamp_ms != 0) r.timestamp_ms = out->timestamp_ms;
    if (!out->topic.empty() && out->topic != topic) record.set_topic(std::move(out->topic));
    record.Reload();
    return Outcome::kKeep;
  }

 private:
  std::unique_ptr<plugin_host::PluginInstance> instance_;
};

}  // namespace

void RegisterPluginTransform(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "Plugin";
  d.description =
      "Runs a native plugin (a shared library on the C ABI of include/rivven/plugin.h, see "
      "docs/plugins.md) on each record: it may change key, value, headers, timestamp and topic, "
      "or drop the record. Example:\n\n"
      "```yaml\n"
      "- type: Plugin\n"
      "  config:\n"
      "    path: /opt/rivven/plugins/uppercase_transform.so\n"
      "    plugin_config: {drop_if: secret}\n"
      "```";
  d.schema = plugin_host::PluginSchema(RIVVEN_PLUGIN_TRANSFORM);
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    RC_ASSIGN_OR_RETURN(plugin_host::PluginOptions options,
                        plugin_host::PluginOptionsFromBound(bound));
    auto instance = plugin_host::PluginInstance::Create(options.path, RIVVEN_PLUGIN_TRANSFORM,
                                                        options.config_json, "Plugin");
    // "path: ..." puts the diagnostic on the `path` key's line.
    if (!instance.ok()) return instance.status().WithContext("path");
    return std::unique_ptr<Transform>(std::make_unique<PluginTransform>(std::move(*instance)));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
