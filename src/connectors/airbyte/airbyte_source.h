#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "connectors/airbyte/airbyte_config.h"
#include "connectors/airbyte/airbyte_process.h"
#include "connectors/airbyte/airbyte_protocol.h"
#include "connectors/connector.h"

namespace rivven {

class Registry;

/// Registers the "airbyte" (a local executable) and "airbyte-docker" (an image) sources.
void RegisterAirbyte(Registry& registry);

namespace airbyte {

/// `spec`: the connector's SPEC payload (JSON).
Result<std::string> RunSpec(const AirbyteConfig& config);
/// `check --config`: OK when the connector answers SUCCEEDED; its message otherwise.
Status RunCheck(const AirbyteConfig& config);
/// `discover --config`: the CATALOG payload (JSON).
Result<std::string> RunDiscover(const AirbyteConfig& config);

/// Reads an Airbyte source: Open discovers its catalog, configures the streams (see
/// BuildConfiguredCatalog) and starts `read --config --catalog [--state]`, the state being the
/// checkpoint's. Poll turns RECORD messages into records (value: the record's data; key: its
/// primary key fields; topic: the source's topic with {stream} replaced by the stream name) and
/// ends a batch at each STATE, whose position is the new state: the runtime stores it only after
/// the records before it are durable, so a restart passes it back with --state and the source
/// resumes after them. LOG messages and the child's stderr go to our log; a TRACE error fails
/// the source (retriable when transient) after the records before it; a non-zero exit fails
/// it with the exit code and the last stderr lines. The config, catalog and state files live
/// in a private directory removed when the read ends or the source closes.
///
/// Owned by the source runner; all calls from its poll thread.
class AirbyteSource final : public Source {
 public:
  AirbyteSource(AirbyteConfig config, std::string name, std::string topic);
  ~AirbyteSource() override;

  Status Open(const std::optional<std::string>& checkpoint) override;
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds max_wait,
                           std::stop_token stop) override;
  Status Close() override;

  /// The configured catalog sent to `read` (after Open).
  const ConfiguredCatalog& catalog() const { return catalog_; }
  uint64_t records() const { return records_; }

 private:
  /// One message from the source's stdout into `batch`; true when the batch ends here.
  bool Handle(const std::string& line, SourceBatch* batch);
  std::string TopicOf(const StreamId& stream) const;

  AirbyteConfig config_;
  std::string name_;
  std::string topic_;  ///< the configured topic; may hold {stream}
  StateStore state_;
  ConfiguredCatalog catalog_;
  std::unique_ptr<SecretDir> dir_;
  std::unique_ptr<ChildProcess> child_;
  std::optional<Status> failure_;  ///< reported once the records before it are handed out
  bool finished_ = false;
  uint64_t records_ = 0;
};

}  // namespace airbyte
}  // namespace rivven
