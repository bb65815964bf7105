#include "runtime/error_handler.h"

#include "base/clock.h"
#include "base/log.h"

namespace rivven {

PolicyErrorHandler::PolicyErrorHandler(config::ErrorPolicy policy, std::string connector,
                                       RunnerStatus& status, Broker& broker)
    : policy_(std::move(policy)), connector_(std::move(connector)), status_(status), broker_(broker) {}

Record PolicyErrorHandler::DeadLetter(const RejectedRecord& r, const std::string& connector) {
  Record out;
  out.key = r.key;
  out.value = r.value;
  out.headers = r.headers;
  out.headers.push_back({"rivven.error.reason", r.reason});
  out.headers.push_back({"rivven.error.connector", connector});
  out.headers.push_back({"rivven.error.position", r.position});
  out.headers.push_back({"rivven.error.attempts", std::to_string(r.attempts)});
  out.headers.push_back({"rivven.error.timestamp", std::to_string(NowMs())});
  out.timestamp_ms = NowMs();
  return out;
}

Status PolicyErrorHandler::Reject(const RejectedRecord& r) {
  status_.errors++;
  switch (policy_.on_error) {
    case config::OnError::kFail:
      return Status::InvalidArgument(r.reason + " (on_error: fail; set on_error: skip or dlq to "
                                                "continue past bad records)");
    case config::OnError::kSkip: {
      const uint64_t n = ++status_.skipped;
      if (n <= 10 || n % 1000 == 0) {
        log::Warn(connector_, "skipped record #{} (on_error: skip): {}", n, r.reason);
      }
      return Status::Ok();
    }
    case config::OnError::kDlq: {
      if (!producer_) {
        RC_ASSIGN_OR_RETURN(producer_, broker_.NewProducer());
      }
      std::vector<Record> batch;
      batch.push_back(DeadLetter(r, connector_));
      RC_RETURN_IF_ERROR(producer_->Send(policy_.dead_letter_topic, batch)
                             .WithContext("writing to dead letter topic '" +
                                          policy_.dead_letter_topic + "'"));
      const uint64_t n = ++status_.dead_lettered;
      if (n <= 10 || n % 1000 == 0) {
        log::Warn(connector_, "record #{} sent to dead letter topic '{}': {}", n,
                  policy_.dead_letter_topic, r.reason);
      }
      return Status::Ok();
    }
  }
  return Status::Internal("unknown on_error policy");
}

}  // namespace rivven
