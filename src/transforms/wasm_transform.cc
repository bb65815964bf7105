#include "transforms/wasm_transform.h"

#include <memory>
#include <utility>

#include <rapidjson/document.h>

#include "base/log.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"
#include "wasm/wasm_config.h"
#include "wasm/wasm_instance.h"
#include "wasm/wasm_records.h"

namespace rivven::transforms {
namespace {

constexpr const char* kComponent = "wasm-transform";

/// Parses JSON text a guest produced (already validated by ParseRecordArray) into the
/// context's allocator.
rapidjson::Value ToDom(const std::string& text, rapidjson::MemoryPoolAllocator<>& allocator) {
  rapidjson::Document doc(&allocator);
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  return rapidjson::Value(std::move(static_cast<rapidjson::Value&>(doc)));
}

/// Runs each record through the guest's rivven_transform: the record goes in as a JSON array
/// of one, and the guest returns an array of none (drop) or one (the new key, value, headers,
/// timestamp and, when given, topic). A trap or timeout fails that record (on_error applies)
/// and breaks the instance; the next record gets a fresh instance (rivven_init again), so a
/// bad record does not stop the pipeline.
///
/// Built once per chain; Apply is called from one runner thread at a time.
class WasmTransform final : public Transform {
 public:
  WasmTransform(std::shared_ptr<const wasm::WasmModule> module, wasm::WasmConfig config,
                std::unique_ptr<wasm::WasmInstance> instance)
      : module_(std::move(module)), config_(std::move(config)), instance_(std::move(instance)) {}

  Result<Outcome> Apply(RecordContext& rc) override {
    if (!instance_->broken().ok()) {
      log::Warn(kComponent, "restarting wasm module {} after: {}", module_->name(),
                instance_->broken().message());
      RC_ASSIGN_OR_RETURN(instance_,
                          wasm::StartInstance(module_, kComponent, config_.plugin_config_json));
    }
    rc.Commit();  // earlier transforms' changes, so the guest sees the record as it is now
    Record& record = rc.record();
    std::string input = "[";
    wasm::AppendRecordJson(input, record, rc.topic());
    input.push_back(']');
    RC_ASSIGN_OR_RETURN(std::string output, instance_->CallWithBytes("rivven_transform", input));
    auto parsed = wasm::ParseRecordArray(output, "rivven_transform result", record.timestamp_ms);
    if (!parsed.ok()) return parsed.status().WithContext("wasm module " + module_->name());
    std::vector<Record>& out = *parsed;
    if (out.empty()) return Outcome::kDrop;
    if (out.size() > 1) {
      return Status::InvalidArgument("wasm module " + module_->name() +
                                     ": rivven_transform returned " + std::to_string(out.size()) +
                                     " records for one; a transform maps a record to at most one");
    }
    Record& result = out[0];
    if (result.value) {
      rc.SetValue(ToDom(*result.value, rc.allocator()));
    } else {
      rc.SetValueNull();
    }
    if (result.key) {
      rc.SetKey(ToDom(*result.key, rc.allocator()));
    } else {
      rc.SetKeyNull();
    }
    record.headers = std::move(result.headers);
    record.timestamp_ms = result.timestamp_ms;
    if (!result.topic.empty() && result.topic != rc.topic()) rc.set_topic(std::move(result.topic));
    return Outcome::kKeep;
  }

 private:
  std::shared_ptr<const wasm::WasmModule> module_;  // shared with instances made after a trap
  wasm::WasmConfig config_;
  std::unique_ptr<wasm::WasmInstance> instance_;
};

}  // namespace

void RegisterWasmTransform(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "Wasm";
  d.description =
      "Runs each record through a WebAssembly module's rivven_transform (guest ABI: "
      "docs/wasm.md): the record goes in as JSON, and the module returns it changed, or "
      "nothing to drop it. The module runs in wabt's interpreter with a memory cap and a "
      "per-call time limit; a record it traps on or times out on goes to on_error, and the "
      "next record gets a fresh instance.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: Wasm\n"
      "    config:\n"
      "      module_path: /plugins/uppercase_transform.wasm\n"
      "      memory_limit_mb: 64\n"
      "      timeout_secs: 5\n"
      "      plugin_config: {}\n"
      "```";
  wasm::AddWasmKeys(d.schema);
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    RC_ASSIGN_OR_RETURN(wasm::WasmConfig config, wasm::WasmConfigFromBound(c));
    RC_ASSIGN_OR_RETURN(
        auto module,
        wasm::WasmModule::Load(config.module_path, wasm::GuestKind::kTransform, config.limits));
    RC_ASSIGN_OR_RETURN(auto instance,
                        wasm::StartInstance(module, kComponent, config.plugin_config_json));
    return std::unique_ptr<Transform>(
        std::make_unique<WasmTransform>(std::move(module), std::move(config), std::move(instance)));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
