#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <wabt/type.h>

#include "wasm/wasm_module.h"

// Included only by src/wasm/*.cc: it brings in a wabt header.
namespace rivven::wasm {

/// One export of the guest ABI (docs/wasm.md) and the kinds that must have it.
struct ExportSpec {
  std::string_view name;
  std::vector<wabt::Type> params;
  std::vector<wabt::Type> results;
  bool source = false, sink = false, transform = false;  ///< required for these kinds
  bool is_memory = false;

  bool RequiredFor(GuestKind kind) const {
    switch (kind) {
      case GuestKind::kSource:
        return source;
      case GuestKind::kSink:
        return sink;
      case GuestKind::kTransform:
        return transform;
    }
    return false;
  }
};

/// One function the host provides under module "rivven".
struct HostImportSpec {
  std::string_view module;
  std::string_view name;
  std::vector<wabt::Type> params;
  std::vector<wabt::Type> results;
};

/// Guest return codes of rivven_init, rivven_poll, rivven_write, rivven_flush, rivven_seek and
/// rivven_transform.
inline constexpr int32_t kGuestOk = 0;
inline constexpr int32_t kGuestRetriable = 1;  ///< anything else non-zero is fatal

const std::vector<ExportSpec>& AbiExports();
const std::vector<HostImportSpec>& HostImports();
const HostImportSpec* FindHostImport(std::string_view module, std::string_view name);

/// "(i32, i32) -> i32".
std::string SignatureText(const std::vector<wabt::Type>& params,
                          const std::vector<wabt::Type>& results);
/// "source", "sink", "transform".
const char* GuestKindName(GuestKind kind);
/// "memory, rivven_alloc, rivven_init and rivven_poll".
std::string RequiredExportsText(GuestKind kind);
/// "rivven.log, rivven.now_ms and rivven.set_result".
std::string HostImportsText();

}  // namespace rivven::wasm
