#include "wasm/wasm_abi.h"

namespace rivven::wasm {
namespace {

using wabt::Type;

std::string JoinAnd(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

const std::vector<ExportSpec>& AbiExports() {
  static const std::vector<ExportSpec> kExports = [] {
    std::vector<ExportSpec> v;
    ExportSpec memory{"memory", {}, {}, true, true, true};
    memory.is_memory = true;
    v.push_back(memory);
    v.push_back({"rivven_alloc", {Type::I32}, {Type::I32}, true, true, true});
    v.push_back({"rivven_free", {Type::I32, Type::I32}, {}, false, false, false});
    v.push_back({"rivven_init", {Type::I32, Type::I32}, {Type::I32}, true, true, true});
    v.push_back({"rivven_poll", {Type::I32}, {Type::I32}, true, false, false});
    v.push_back({"rivven_seek", {Type::I32, Type::I32}, {Type::I32}, false, false, false});
    v.push_back({"rivven_write", {Type::I32, Type::I32}, {Type::I32}, false, true, false});
    v.push_back({"rivven_flush", {}, {Type::I32}, false, false, false});
    v.push_back({"rivven_transform", {Type::I32, Type::I32}, {Type::I32}, false, false, true});
    return v;
  }();
  return kExports;
}

const std::vector<HostImportSpec>& HostImports() {
  static const std::vector<HostImportSpec> kImports = {
      {"rivven", "log", {Type::I32, Type::I32, Type::I32}, {}},
      {"rivven", "now_ms", {}, {Type::I64}},
      {"rivven", "set_result", {Type::I32, Type::I32}, {}},
  };
  return kImports;
}

const HostImportSpec* FindHostImport(std::string_view module, std::string_view name) {
  for (const HostImportSpec& spec : HostImports()) {
    if (spec.module == module && spec.name == name) return &spec;
  }
  return nullptr;
}

std::string SignatureText(const std::vector<Type>& params, const std::vector<Type>& results) {
  std::string out = "(";
  for (size_t i = 0; i < params.size(); ++i) {
    out += i ? ", " : "";
    out += params[i].GetName();
  }
  out += ") -> ";
  if (results.empty()) return out + "()";
  if (results.size() == 1) return out + results[0].GetName();
  out += "(";
  for (size_t i = 0; i < results.size(); ++i) {
    out += i ? ", " : "";
    out += results[i].GetName();
  }
  return out + ")";
}

const char* GuestKindName(GuestKind kind) {
  switch (kind) {
    case GuestKind::kSource:
      return "source";
    case GuestKind::kSink:
      return "sink";
    case GuestKind::kTransform:
      return "transform";
  }
  return "?";
}

std::string RequiredExportsText(GuestKind kind) {
  std::vector<std::string> names;
  for (const ExportSpec& spec : AbiExports()) {
    if (spec.RequiredFor(kind)) names.emplace_back(spec.name);
  }
  return JoinAnd(names);
}

std::string HostImportsText() {
  std::vector<std::string> names;
  for (const HostImportSpec& spec : HostImports()) {
    names.push_back(std::string(spec.module) + "." + std::string(spec.name));
  }
  return JoinAnd(names);
}

}  // namespace rivven::wasm
