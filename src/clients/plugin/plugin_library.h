#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "rivven/plugin.h"

namespace rivven::plugin_host {

/// "source", "sink", "transform" (or "kind N" for anything else), for messages.
const char* KindName(uint32_t kind);

/// A native plugin shared library, loaded with dlopen and checked: it exports
/// rivven_plugin_entry, its table has this host's ABI version and the expected kind, and the
/// functions that kind needs are present. Unloaded (dlclose) on destruction, so it must outlive
/// every instance created from its table (PluginInstance owns its library for that reason).
/// Immutable after Load; safe to share between threads.
class PluginLibrary {
 public:
  /// Loads `path` (taken relative to the working directory when it has no '/'). Every error
  /// names the file; a version mismatch names both versions.
  static Result<std::unique_ptr<PluginLibrary>> Load(const std::string& path,
                                                     rivven_plugin_kind expected_kind);
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const rivven_plugin_v1& table() const { return *table_; }
  const std::string& path() const { return path_; }
  /// "plugin 'name' (path)", the prefix of every message about it.
  const std::string& label() const { return label_; }

 private:
  PluginLibrary(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}

  void* handle_;
  std::string path_;
  std::string label_;
  const rivven_plugin_v1* table_ = nullptr;
};

}  // namespace rivven::plugin_host
