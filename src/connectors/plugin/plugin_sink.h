#pragma once

#include <memory>
#include <vector>

#include "clients/plugin/plugin_instance.h"
#include "connectors/connector.h"

namespace rivven::plugin_host {

/// A sink implemented by a native plugin: Write passes records through, Flush is the plugin's
/// commit, so offsets are committed only once the plugin says everything written is durable.
///
/// Owned by the sink runner; all calls come from that thread.
class PluginSink final : public Sink {
 public:
  explicit PluginSink(std::unique_ptr<PluginInstance> instance);
  Status Open() override { return Status::Ok(); }
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

 private:
  std::unique_ptr<PluginInstance> instance_;
};

}  // namespace rivven::plugin_host
