#pragma once

// For tests of connectors and runners: a RecordErrorHandler that keeps every record it is given;
// with `fail`, it answers like on_error: fail (an error carrying the reason).
#include <vector>

#include "connectors/connector.h"

namespace rivven::testing {

class CollectingErrors final : public RecordErrorHandler {
 public:
  explicit CollectingErrors(bool fail = false) : fail_(fail) {}
  Status Reject(const RejectedRecord& record) override {
    rejected.push_back(record);
    return fail_ ? Status::InvalidArgument(record.reason) : Status::Ok();
  }
  std::vector<RejectedRecord> rejected;

 private:
  bool fail_;
};

}  // namespace rivven::testing
