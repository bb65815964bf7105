#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::wasm {

/// Compiles WebAssembly text (a `(module ...)`) to the binary format, with wabt's parser, so
/// `module_path` may name a .wat file and tests can write guests inline. Errors carry the
/// parser's messages with line:column in `name`. Thread-safe.
Result<std::string> WatToWasm(std::string_view name, std::string_view text);

}  // namespace rivven::wasm
