#pragma once

#include <memory>
#include <optional>
#include <string>

#include "connectors/connector.h"
#include "wasm/wasm_config.h"
#include "wasm/wasm_instance.h"

namespace rivven {

class Registry;

/// Registers the `wasm` source and the `wasm` sink (wasm_sink.h): connectors implemented by a
/// WebAssembly module (docs/wasm.md).
void RegisterWasm(Registry& registry);

namespace wasm {

/// A source whose records come from a guest module's rivven_poll. Open instantiates the module
/// and calls rivven_init with plugin_config, then rivven_seek with the checkpoint (when the
/// module exports it); Poll calls rivven_poll(max_records) and turns its JSON into records and
/// a position. A guest that returns no records and is not finished is asked again after
/// max_wait (or a stop request). A trap or a call past timeout_secs fails the source, and the
/// runtime restarts it by its policy (a fresh instance, seeking to the last checkpoint).
///
/// Owned by the source runner; all calls come from its one thread. Positions are the guest's
/// own JSON, durable once the runtime checkpoints them.
class WasmSource final : public Source {
 public:
  WasmSource(std::shared_ptr<const WasmModule> module, WasmConfig config, std::string name);

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Close() override;

 private:
  std::shared_ptr<const WasmModule> module_;  // shared with the descriptor's other instances
  WasmConfig config_;
  std::string name_;
  std::unique_ptr<WasmInstance> instance_;
};

}  // namespace wasm
}  // namespace rivven
