#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::wasm {

/// The import the metering pass adds to every module: `(func (result i64))` under this module
/// and field name. The host answers it with the next slice of fuel, or traps once the call's
/// deadline has passed. Guests never call it themselves (docs/wasm.md).
inline constexpr std::string_view kMeterModule = "rivven_meter";
inline constexpr std::string_view kMeterField = "refuel";

/// Rewrites a valid module so it cannot run unboundedly without asking the host: a new mutable
/// i64 global holds fuel; every defined function's entry and every loop head decrement it, and
/// when it reaches zero they call the `rivven_meter.refuel` import and store what it returns.
/// Straight-line code between two such points is bounded by the function's size, so a call
/// returns to the host at least every slice of fuel. The added import takes function index
/// `imports`, so every later function index (calls, ref.func, exports, start, element
/// segments, global initializers) is shifted by one.
///
/// `bytes` must already have passed validation; `name` is for error messages. Thread-safe.
Result<std::string> MeterModule(std::string_view name, std::string_view bytes);

}  // namespace rivven::wasm
