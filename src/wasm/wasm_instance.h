#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wasm/wasm_module.h"

namespace rivven::wasm {

/// One running instance of a guest module on wabt's interpreter: its own store, linear memory
/// and globals, and the host functions under "rivven" (log, now_ms, set_result) bound to it.
///
/// Every call copies its input into guest memory (rivven_alloc, then rivven_free when the guest
/// exports it), runs the export with a deadline of the module's `timeout`, and returns the bytes
/// the guest passed to `rivven.set_result`. A guest that traps or overruns its deadline leaves
/// the instance broken: that call and every later one return the error (which names the module,
/// the export and the trap), and the owner makes a new instance if it wants to go on.
///
/// Owned by one connector or transform; not thread-safe: one thread calls it at a time.
class WasmInstance {
 public:
  /// Instantiates `module` (running its start function, if any, under the deadline).
  /// `log_component` names the guest in log lines (e.g. the connector's name).
  /// The module is shared: every instance of one configured module reads the same
  /// immutable compiled form, and a transform re-instantiates it after a trap.
  static Result<std::unique_ptr<WasmInstance>> New(std::shared_ptr<const WasmModule> module,
                                                   std::string log_component);
  ~WasmInstance();
  WasmInstance(const WasmInstance&) = delete;
  WasmInstance& operator=(const WasmInstance&) = delete;

  /// Calls `export_name(ptr, len) -> i32` with `input` in guest memory (rivven_init,
  /// rivven_seek, rivven_write, rivven_transform).
  Result<std::string> CallWithBytes(std::string_view export_name, std::string_view input);
  /// Calls `export_name(arg) -> i32` (rivven_poll). When `cancelled` is given and returns true
  /// while the guest runs (the connector is stopping), the call is stopped like a timeout,
  /// within a slice of fuel, and fails with kCancelled.
  Result<std::string> CallWithInt(std::string_view export_name, int32_t arg,
                                  const std::function<bool()>& cancelled = nullptr);
  /// Calls `export_name() -> i32` (rivven_flush).
  Result<std::string> Call(std::string_view export_name);

  const WasmModule& module() const;
  /// OK, or the trap/timeout that broke this instance.
  const Status& broken() const;
  /// Pages of linear memory now (for tests and diagnostics).
  uint64_t MemoryPages() const;

 private:
  struct State;
  explicit WasmInstance(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// New, then rivven_init with `config_json` (plugin_config): the instance a connector or the
/// transform runs. An init that returns non-zero is an error carrying what the guest set as
/// its result.
Result<std::unique_ptr<WasmInstance>> StartInstance(std::shared_ptr<const WasmModule> module,
                                                    std::string log_component,
                                                    std::string_view config_json);

}  // namespace rivven::wasm
