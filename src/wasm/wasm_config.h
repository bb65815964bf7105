#pragma once

#include <string>

#include "base/status.h"
#include "config/schema.h"
#include "wasm/wasm_module.h"

namespace rivven::wasm {

/// The typed keys shared by the `wasm` source, the `wasm` sink and the `Wasm` transform.
/// Immutable after construction.
struct WasmConfig {
  std::string module_path;
  WasmLimits limits;
  std::string plugin_config_json = "{}";  ///< `plugin_config` as JSON, for rivven_init
};

/// Adds module_path, memory_limit_mb, timeout_secs and plugin_config to `schema` (the single
/// declaration of those keys, for the source, the sink and the transform).
void AddWasmKeys(config::Schema& schema);

/// Reads a config bound against a schema made with AddWasmKeys.
Result<WasmConfig> WasmConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::wasm
