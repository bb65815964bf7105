#pragma once

#include <memory>
#include <optional>
#include <string>

#include "clients/plugin/plugin_instance.h"
#include "connectors/connector.h"

namespace rivven::plugin_host {

/// A source implemented by a native plugin. Positions are the plugin's own opaque strings,
/// stored by the runtime and given back to the plugin's open after a restart. Plugin errors are
/// connector errors, retriable when the plugin said so.
///
/// Owned by the source runner; all calls come from that thread (the ABI's one-thread rule).
class PluginSource final : public Source {
 public:
  explicit PluginSource(std::unique_ptr<PluginInstance> instance);
  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Close() override;

 private:
  std::unique_ptr<PluginInstance> instance_;
};

}  // namespace rivven::plugin_host
