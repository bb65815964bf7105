#include "connectors/plugin/plugin_sink.h"

namespace rivven::plugin_host {

PluginSink::PluginSink(std::unique_ptr<PluginInstance> instance)
    : instance_(std::move(instance)) {}

Status PluginSink::Write(const std::vector<ConsumedRecord>& records) {
  return instance_->Write(records);
}

Status PluginSink::Flush() { return instance_->Commit(); }

Status PluginSink::Close() { return instance_->Close(); }

}  // namespace rivven::plugin_host
