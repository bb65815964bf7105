#include "clients/plugin/plugin_library.h"

#include <dlfcn.h>

#include <string_view>

namespace rivven::plugin_host {
namespace {

Status Invalid(const std::string& path, std::string_view what) {
  return Status::InvalidArgument("plugin '" + path + "': " + std::string(what));
}

// The functions a kind cannot work without; empty when all are there.
std::string MissingFunction(const rivven_plugin_v1& t) {
  if (t.create == nullptr) return "create";
  if (t.destroy == nullptr) return "destroy";
  switch (t.kind) {
    case RIVVEN_PLUGIN_SOURCE:
      if (t.open == nullptr) return "open";
      if (t.poll == nullptr) return "poll";
      break;
    case RIVVEN_PLUGIN_SINK:
      if (t.write == nullptr) return "write";
      if (t.commit == nullptr) return "commit";
      break;
    case RIVVEN_PLUGIN_TRANSFORM:
      if (t.transform == nullptr) return "transform";
      break;
    default:
      break;
  }
  return {};
}

}  // namespace

const char* KindName(uint32_t kind) {
  switch (kind) {
    case RIVVEN_PLUGIN_SOURCE: return "source";
    case RIVVEN_PLUGIN_SINK: return "sink";
    case RIVVEN_PLUGIN_TRANSFORM: return "transform";
    default: return "unknown kind";
  }
}

Result<std::unique_ptr<PluginLibrary>> PluginLibrary::Load(const std::string& path,
                                                           rivven_plugin_kind expected_kind) {
  if (path.empty()) return Status::InvalidArgument("plugin: `path` is empty");
  // Without a '/', dlopen would search the library path instead of the working directory.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  ::dlerror();
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = ::dlerror();
    return Invalid(path, std::string("cannot load it: ") + (e != nullptr ? e : "dlopen failed"));
  }
  std::unique_ptr<PluginLibrary> lib(new PluginLibrary(handle, path));
  ::dlerror();
  void* sym = ::dlsym(handle, RIVVEN_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    return Invalid(path, "not a rivven-connect plugin: it does not export `" RIVVEN_PLUGIN_ENTRY_SYMBOL
                         "` (define it with RIVVEN_PLUGIN(...) from <rivven/plugin.hpp>, or export "
                         "`const rivven_plugin_v1* rivven_plugin_entry(void)` with C linkage)");
  }
  auto entry = reinterpret_cast<rivven_plugin_entry_fn>(sym);
  const rivven_plugin_v1* table = entry();
  if (table == nullptr) return Invalid(path, RIVVEN_PLUGIN_ENTRY_SYMBOL "() returned NULL");
  // Only abi_version may be read before it is known to match: the rest of another version's
  // table may be laid out differently.
  if (table->abi_version != RIVVEN_PLUGIN_ABI_VERSION) {
    return Invalid(path, "built for plugin ABI version " + std::to_string(table->abi_version) +
                             ", but this rivven-connect supports plugin ABI version " +
                             std::to_string(RIVVEN_PLUGIN_ABI_VERSION) +
                             "; rebuild it against this release's include/rivven/plugin.h");
  }
  const std::string name = table->name != nullptr ? table->name : "";
  if (table->kind != static_cast<uint32_t>(expected_kind)) {
    return Invalid(path, "'" + name + "' is a " + KindName(table->kind) + " plugin (kind " +
                             std::to_string(table->kind) + "), but it is configured as a " +
                             KindName(expected_kind));
  }
  if (std::string missing = MissingFunction(*table); !missing.empty()) {
    return Invalid(path, "'" + name + "' is a " + KindName(table->kind) +
                             " plugin without the `" + missing + "` function");
  }
  lib->table_ = table;
  lib->label_ = "plugin '" + name + "' (" + path + ")";
  return lib;
}

PluginLibrary::~PluginLibrary() { ::dlclose(handle_); }

}  // namespace rivven::plugin_host
