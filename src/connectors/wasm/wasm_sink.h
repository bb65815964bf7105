#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "wasm/wasm_config.h"
#include "wasm/wasm_instance.h"

namespace rivven::wasm {

/// A sink that hands batches of records to a guest module: Write calls rivven_write with a
/// JSON array of records, Flush calls rivven_flush when the module exports it. Durability is
/// the guest's: Flush returns OK when rivven_flush returned 0 (or, without rivven_flush, when
/// every rivven_write returned 0), and only then does the runtime commit offsets. A guest error
/// code 1 is retriable, any other non-zero code fatal; a trap or a call past timeout_secs fails
/// the sink, which the runtime restarts with a fresh instance.
///
/// Owned by the sink runner; all calls come from its one thread.
class WasmSink final : public Sink {
 public:
  WasmSink(std::shared_ptr<const WasmModule> module, WasmConfig config, std::string name);

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

 private:
  std::shared_ptr<const WasmModule> module_;  // shared with the descriptor's other instances
  WasmConfig config_;
  std::string name_;
  std::unique_ptr<WasmInstance> instance_;
};

}  // namespace rivven::wasm
