#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "wasm/wasm_module.h"
#include "wasm/wasm_wat.h"

namespace rivven::wasm::testing {

/// A module from inline WebAssembly text (the test fails when the text does not compile).
inline Result<std::shared_ptr<const WasmModule>> FromWat(std::string_view wat, GuestKind kind,
                                                         WasmLimits limits = {}) {
  auto bytes = WatToWasm("test.wat", wat);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return bytes.status();
  return WasmModule::FromBytes("test.wat", *bytes, kind, limits);
}

/// A guest built by CMake (src/wasm/CMakeLists.txt) from examples/wasm/ or tests/guests/.
inline std::string GuestPath(const std::string& stem) {
  return std::string(RIVVEN_WASM_GUEST_DIR) + "/" + stem + ".wasm";
}

}  // namespace rivven::wasm::testing
