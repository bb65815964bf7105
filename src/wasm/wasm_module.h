#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wabt::interp {
struct ModuleDesc;
}

namespace rivven::wasm {

/// What a guest module implements; decides which exports it must have (docs/wasm.md).
enum class GuestKind { kSource, kSink, kTransform };

/// The resource limits of every instance of one module (the `memory_limit_mb` and
/// `timeout_secs` keys).
struct WasmLimits {
  uint32_t memory_limit_mb = 256;            ///< cap on linear memory, whole 64 KiB pages
  std::chrono::milliseconds timeout{30000};  ///< wall-clock limit of one guest call
};

/// A guest module read from disk or bytes, validated, checked against the guest ABI for its
/// kind (exports and their signatures, imports the host provides), metered (wasm_meter.h) and
/// with its memory capped at the limit. Immutable once built, so instances made from it on
/// any thread may share it.
class WasmModule {
 public:
  /// Reads `path`. Errors name the path and what is wrong: unreadable file, not WebAssembly,
  /// invalid, missing or mistyped exports (all of them at once), unknown imports, an initial
  /// memory above the limit.
  static Result<std::shared_ptr<const WasmModule>> Load(const std::string& path, GuestKind kind,
                                                        const WasmLimits& limits);
  /// The same from bytes; `name` stands for the path in messages.
  static Result<std::shared_ptr<const WasmModule>> FromBytes(std::string name,
                                                             std::string_view bytes, GuestKind kind,
                                                             const WasmLimits& limits);
  ~WasmModule();
  WasmModule(const WasmModule&) = delete;
  WasmModule& operator=(const WasmModule&) = delete;

  const std::string& name() const { return name_; }
  GuestKind kind() const { return kind_; }
  const WasmLimits& limits() const { return limits_; }
  /// True when the module exports a function `export_name` (optional exports: rivven_free,
  /// rivven_seek, rivven_flush).
  bool HasFunction(std::string_view export_name) const;
  /// The decoded, metered, capped module, for WasmInstance.
  const wabt::interp::ModuleDesc& desc() const { return *desc_; }

 private:
  WasmModule(std::string name, GuestKind kind, WasmLimits limits,
             std::unique_ptr<wabt::interp::ModuleDesc> desc);

  std::string name_;
  GuestKind kind_;
  WasmLimits limits_;
  std::unique_ptr<wabt::interp::ModuleDesc> desc_;
};

/// Pages of 64 KiB in `memory_limit_mb`.
inline uint64_t MemoryLimitPages(uint32_t memory_limit_mb) {
  return uint64_t{memory_limit_mb} * 16;
}

}  // namespace rivven::wasm
