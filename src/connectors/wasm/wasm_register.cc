#include "connectors/registry.h"
#include "connectors/wasm/wasm_sink.h"
#include "connectors/wasm/wasm_source.h"

namespace rivven {
namespace {

/// The module at `module_path`, loaded and checked against the ABI of `kind`.
Result<std::shared_ptr<const wasm::WasmModule>> LoadFor(const wasm::WasmConfig& config,
                                                        wasm::GuestKind kind,
                                                        const config::BoundConfig& bound) {
  auto module = wasm::WasmModule::Load(config.module_path, kind, config.limits);
  if (!module.ok()) return module.status().WithContext(bound.path() + ".module_path");
  return module;
}

config::Schema WasmSchema() {
  config::Schema s;
  wasm::AddWasmKeys(s);
  return s;
}

}  // namespace

void RegisterWasm(Registry& registry) {
  ConnectorDescriptor source;
  source.name = "wasm";
  source.kind = ConnectorKind::kSource;
  source.description =
      "Records from a WebAssembly module (guest ABI: docs/wasm.md), run in wabt's interpreter "
      "with a memory cap and a per-call time limit";
  source.schema = WasmSchema();
  source.make_source = [](const config::BoundConfig& bound,
                          const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(wasm::WasmConfig config, wasm::WasmConfigFromBound(bound));
    RC_ASSIGN_OR_RETURN(auto module, LoadFor(config, wasm::GuestKind::kSource, bound));
    return std::unique_ptr<Source>(
        std::make_unique<wasm::WasmSource>(std::move(module), std::move(config), context.name));
  };
  source.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(wasm::WasmConfig config, wasm::WasmConfigFromBound(bound));
    return LoadFor(config, wasm::GuestKind::kSource, bound).status();
  };
  registry.Add(std::move(source));

  ConnectorDescriptor sink;
  sink.name = "wasm";
  sink.kind = ConnectorKind::kSink;
  sink.description =
      "Hands records to a WebAssembly module (guest ABI: docs/wasm.md), run in wabt's "
      "interpreter with a memory cap and a per-call time limit";
  sink.schema = WasmSchema();
  sink.make_sink = [](const config::BoundConfig& bound,
                      const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(wasm::WasmConfig config, wasm::WasmConfigFromBound(bound));
    RC_ASSIGN_OR_RETURN(auto module, LoadFor(config, wasm::GuestKind::kSink, bound));
    return std::unique_ptr<Sink>(
        std::make_unique<wasm::WasmSink>(std::move(module), std::move(config), context.name));
  };
  sink.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(wasm::WasmConfig config, wasm::WasmConfigFromBound(bound));
    return LoadFor(config, wasm::GuestKind::kSink, bound).status();
  };
  registry.Add(std::move(sink));
}

}  // namespace rivven
