#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/plugin/plugin_library.h"
#include "record/record.h"

namespace rivven::plugin_host {

/// Records a source plugin returned, copied out of the plugin's buffers.
struct PluginBatch {
  std::vector<Record> records;
  std::string position;  ///< empty: unchanged
  bool finished = false;
};

/// One instance of a native plugin (rivven_plugin_v1::create .. destroy), owning its library.
/// Every call goes through the C ABI: the plugin's error struct becomes a Status (retriable as
/// the plugin said), a C++ exception that escapes the plugin anyway becomes a fatal error, and
/// a fatal signal during the call is reported as coming from this plugin before the process
/// dies with it (native plugins share the process; see CrashNote).
///
/// Used by one thread at a time (the ABI's rule); created and destroyed on any thread.
class PluginInstance {
 public:
  /// Loads `path`, checks it is a `kind` plugin of this ABI version and creates an instance
  /// from `config_json`. `connector_name` is shown to the plugin and in its log lines.
  static Result<std::unique_ptr<PluginInstance>> Create(const std::string& path,
                                                        rivven_plugin_kind kind,
                                                        const std::string& config_json,
                                                        const std::string& connector_name);
  ~PluginInstance();  ///< destroy, then unload the library
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  /// Sources.
  Status Open(const std::optional<std::string>& checkpoint);
  Result<PluginBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait);
  /// Sinks. Commit: durable when it returns OK.
  Status Write(const std::vector<ConsumedRecord>& records);
  Status Commit();
  /// Transforms: the record transformed (its topic empty when the plugin left it empty), or
  /// nullopt when the plugin dropped it.
  Result<std::optional<Record>> Transform(const Record& record, std::string_view topic);
  /// All kinds; a no-op when the plugin has no close function or it already ran.
  Status Close();

  const PluginLibrary& library() const { return *library_; }

 private:
  PluginInstance(std::unique_ptr<PluginLibrary> library, std::string connector_name);
  /// Turns a failed call (rc != 0) into a Status naming the plugin and the function.
  Status CallStatus(int rc, const char* function, const rivven_error& err) const;

  std::unique_ptr<PluginLibrary> library_;
  std::string connector_name_;
  std::string log_component_;
  std::string crash_note_;  ///< what the fatal-signal handler prints, prepared in advance
  rivven_host host_{};
  void* instance_ = nullptr;
  bool closed_ = false;
};

}  // namespace rivven::plugin_host
