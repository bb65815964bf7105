#include "connectors/plugin/plugin_source.h"

namespace rivven::plugin_host {

PluginSource::PluginSource(std::unique_ptr<PluginInstance> instance)
    : instance_(std::move(instance)) {}

Status PluginSource::Open(const std::optional<std::string>& checkpoint) {
  return instance_->Open(checkpoint);
}

Result<SourceBatch> PluginSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                       std::stop_token stop) {
  // The plugin cannot see `stop`; it returns within max_wait, which bounds how long a stop
  // waits for it.
  RC_ASSIGN_OR_RETURN(PluginBatch polled, instance_->Poll(max_records, max_wait));
  SourceBatch batch;
  batch.records = std::move(polled.records);
  batch.position = std::move(polled.position);
  batch.finished = polled.finished;
  return batch;
}

Status PluginSource::Close() { return instance_->Close(); }

}  // namespace rivven::plugin_host
