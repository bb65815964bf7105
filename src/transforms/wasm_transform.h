#pragma once

namespace rivven::transforms {

class TransformRegistry;

/// Registers "Wasm": a transform implemented by a WebAssembly module (docs/wasm.md).
void RegisterWasmTransform(TransformRegistry& registry);

}  // namespace rivven::transforms
