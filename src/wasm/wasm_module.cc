#include "wasm/wasm_module.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include "wasm/wasm_abi.h"
#include "wasm/wasm_meter.h"
#include "wasm/wasm_wat.h"

namespace rivven::wasm {
namespace {

namespace interp = wabt::interp;

std::string Prefix(const std::string& name) { return "wasm module " + name + ": "; }

Result<interp::ModuleDesc> Decode(const std::string& name, std::string_view bytes) {
  const wabt::Features features;
  const wabt::ReadBinaryOptions options(features, nullptr, /*read_debug_names=*/false,
                                        /*stop_on_first_error=*/true,
                                        /*fail_on_custom_section_error=*/false);
  wabt::Errors errors;
  interp::ModuleDesc desc;
  if (wabt::Failed(
          interp::ReadBinaryInterp(name, bytes.data(), bytes.size(), options, &errors, &desc))) {
    std::string text = wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return Status::InvalidArgument(Prefix(name) + "invalid WebAssembly: " + text);
  }
  return desc;
}

/// Every breach of the guest ABI (docs/wasm.md), so a module author sees all of them at once.
std::vector<std::string> AbiProblems(const interp::ModuleDesc& desc, GuestKind kind) {
  std::vector<std::string> problems;
  std::vector<std::string> missing;
  for (const ExportSpec& spec : AbiExports()) {
    const interp::ExportDesc* found = nullptr;
    for (const interp::ExportDesc& e : desc.exports) {
      if (e.type.name == spec.name) found = &e;
    }
    if (found == nullptr) {
      if (spec.RequiredFor(kind)) missing.emplace_back(spec.name);
      continue;
    }
    if (spec.is_memory) {
      if (found->type.type->kind != wabt::ExternalKind::Memory) {
        problems.push_back("export `memory` is not a memory");
      }
      continue;
    }
    const auto* func = wabt::dyn_cast<interp::FuncType>(found->type.type.get());
    if (func == nullptr) {
      problems.push_back("export `" + std::string(spec.name) + "` is not a function");
    } else if (func->params != spec.params || func->results != spec.results) {
      problems.push_back("export `" + std::string(spec.name) + "` has type " +
                         SignatureText(func->params, func->results) + ", expected " +
                         SignatureText(spec.params, spec.results));
    }
  }
  if (!missing.empty()) {
    std::string line = "missing export" + std::string(missing.size() > 1 ? "s " : " ");
    for (size_t i = 0; i < missing.size(); ++i) line += (i ? ", " : "") + missing[i];
    line += std::string(" (a ") + GuestKindName(kind) + " module exports " +
            RequiredExportsText(kind) + ")";
    problems.insert(problems.begin(), line);
  }
  for (const interp::ImportDesc& import : desc.imports) {
    const interp::ImportType& t = import.type;
    const std::string what = t.module + "." + t.name;
    if (t.type->kind == wabt::ExternalKind::Memory) {
      problems.push_back("imports its memory (" + what +
                         "); a guest defines and exports `memory` instead");
      continue;
    }
    const HostImportSpec* spec = FindHostImport(t.module, t.name);
    if (spec == nullptr) {
      problems.push_back("imports " + what + ", which the host does not provide (it provides " +
                         HostImportsText() + ")");
      continue;
    }
    const auto* func = wabt::dyn_cast<interp::FuncType>(t.type.get());
    if (func == nullptr || func->params != spec->params || func->results != spec->results) {
      problems.push_back("imports " + what + " with the wrong type, expected " +
                         SignatureText(spec->params, spec->results));
    }
  }
  return problems;
}

}  // namespace

WasmModule::WasmModule(std::string name, GuestKind kind, WasmLimits limits,
                       std::unique_ptr<interp::ModuleDesc> desc)
    : name_(std::move(name)), kind_(kind), limits_(limits), desc_(std::move(desc)) {}

WasmModule::~WasmModule() = default;

Result<std::shared_ptr<const WasmModule>> WasmModule::Load(const std::string& path, GuestKind kind,
                                                           const WasmLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(Prefix(path) + "cannot open: " + std::strerror(errno));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError(Prefix(path) + "cannot read: " + std::strerror(errno));
  const bool wat_name = path.size() > 4 && path.compare(path.size() - 4, 4, ".wat") == 0;
  if (wat_name && bytes.compare(0, 4, std::string("\0asm", 4)) != 0) {
    RC_ASSIGN_OR_RETURN(bytes, WatToWasm(path, bytes));
  }
  return FromBytes(path, bytes, kind, limits);
}

Result<std::shared_ptr<const WasmModule>> WasmModule::FromBytes(std::string name,
                                                                std::string_view bytes,
                                                                GuestKind kind,
                                                                const WasmLimits& limits) {
  if (bytes.size() < 8 || bytes.substr(0, 4) != std::string_view("\0asm", 4)) {
    return Status::InvalidArgument(Prefix(name) +
                                   "not a WebAssembly binary (it does not start with \\0asm; "
                                   "WebAssembly text needs a .wat file name)");
  }
  RC_ASSIGN_OR_RETURN(interp::ModuleDesc original, Decode(name, bytes));
  const std::vector<std::string> problems = AbiProblems(original, kind);
  if (!problems.empty()) {
    std::string message = Prefix(name) + "does not follow the guest ABI (docs/wasm.md): ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    return Status::InvalidArgument(message);
  }

  const uint64_t cap = MemoryLimitPages(limits.memory_limit_mb);
  for (const interp::MemoryDesc& memory : original.memories) {
    if (memory.type.limits.initial > cap) {
      return Status::InvalidArgument(
          Prefix(name) + "its initial memory of " + std::to_string(memory.type.limits.initial) +
          " pages (" + std::to_string(memory.type.limits.initial / 16) +
          " MiB) exceeds memory_limit_mb=" + std::to_string(limits.memory_limit_mb));
    }
  }

  RC_ASSIGN_OR_RETURN(std::string metered, MeterModule(name, bytes));
  auto decoded = Decode(name, metered);
  if (!decoded.ok()) {
    return Status::Internal(Prefix(name) +
                            "the metered module does not validate (a bug in "
                            "rivven-connect's metering): " +
                            decoded.status().message());
  }
  auto desc = std::make_unique<interp::ModuleDesc>(std::move(decoded).value());
  // memory.grow past the cap then returns -1, as for any module-declared maximum.
  for (interp::MemoryDesc& memory : desc->memories) {
    wabt::Limits& l = memory.type.limits;
    l.max = l.has_max ? std::min<uint64_t>(l.max, cap) : cap;
    l.has_max = true;
  }
  return std::shared_ptr<const WasmModule>(
      new WasmModule(std::move(name), kind, limits, std::move(desc)));
}

bool WasmModule::HasFunction(std::string_view export_name) const {
  for (const interp::ExportDesc& e : desc_->exports) {
    if (e.type.name == export_name && e.type.type->kind == wabt::ExternalKind::Func) return true;
  }
  return false;
}

}  // namespace rivven::wasm
