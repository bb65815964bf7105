#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/broker.h"
#include "config/pipeline_config.h"
#include "connectors/connector.h"
#include "runtime/runner_status.h"

namespace rivven {

/// The runtime's RecordErrorHandler: applies a connector's `on_error` policy.
///  - fail: returns a fatal error carrying the reason (the connector stops, the run fails);
///  - skip: logs (the first 10, then every 1000th) and counts the record;
///  - dlq: produces the record durably to `dead_letter_topic` before returning, with the
///    original key/value/headers and headers describing the failure:
///    rivven.error.reason, rivven.error.connector, rivven.error.position,
///    rivven.error.attempts, rivven.error.timestamp.
/// Used from one connector thread at a time (each runner owns its handler).
class PolicyErrorHandler final : public RecordErrorHandler {
 public:
  PolicyErrorHandler(config::ErrorPolicy policy, std::string connector, RunnerStatus& status,
                     Broker& broker);
  Status Reject(const RejectedRecord& record) override;

  /// The dead-letter record for `record` (exposed for tests and for the sink runner).
  static Record DeadLetter(const RejectedRecord& record, const std::string& connector);

 private:
  config::ErrorPolicy policy_;
  std::string connector_;
  RunnerStatus& status_;
  Broker& broker_;
  std::unique_ptr<Producer> producer_;  ///< created on the first dead letter
};

}  // namespace rivven
