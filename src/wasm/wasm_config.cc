#include "wasm/wasm_config.h"

#include "config/node_json.h"

namespace rivven::wasm {
namespace {

using config::Key;
using config::ValueType;

}  // namespace

void AddWasmKeys(config::Schema& schema) {
  schema.Add(Key("module_path", ValueType::kString,
                 "Path of the WebAssembly module implementing the guest ABI of docs/wasm.md: "
                 "a .wasm binary, or WebAssembly text in a .wat file (compiled on load)")
                 .Required());
  schema.Add(Key("memory_limit_mb", ValueType::kInt,
                 "Cap on the module's linear memory, in MiB; memory.grow past it returns -1 and "
                 "a module whose initial memory is larger is rejected")
                 .Default("256")
                 .Min(1)
                 .Max(4096));
  schema.Add(Key("timeout_secs", ValueType::kInt,
                 "Wall-clock limit of one call into the module (init, poll, write, flush, "
                 "transform); a call that runs longer is stopped and fails the connector")
                 .Default("30")
                 .Min(1)
                 .Max(3600));
  schema.Add(Key("plugin_config", ValueType::kAny,
                 "Passed to the module's rivven_init as JSON (an object; {} when absent)"));
}

Result<WasmConfig> WasmConfigFromBound(const config::BoundConfig& bound) {
  WasmConfig c;
  c.module_path = bound.GetString("module_path");
  if (c.module_path.empty()) {
    return Status::InvalidArgument(bound.path() + ".module_path: must not be empty");
  }
  c.limits.memory_limit_mb = static_cast<uint32_t>(bound.GetInt("memory_limit_mb"));
  c.limits.timeout = std::chrono::seconds(bound.GetInt("timeout_secs"));
  if (const config::Node* node = bound.Raw("plugin_config"); node && !node->IsNull()) {
    c.plugin_config_json = config::NodeToJson(*node);
  }
  return c;
}

}  // namespace rivven::wasm
