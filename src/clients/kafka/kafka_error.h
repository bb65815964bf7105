#pragma once

#include <string_view>

#include "base/status.h"

// librdkafka error codes as Status values. No librdkafka header: the code is its
// rd_kafka_resp_err_t as an int.
namespace rivven::kafka {

/// Whether an operation that failed with this librdkafka error code may succeed when repeated:
/// brokers down or unreachable, timeouts, leader and coordinator changes, rebalances, too few
/// in-sync replicas, a full local queue. Authentication and authorization failures, invalid
/// requests and configuration, and fatal producer errors are not.
bool IsRetriableError(int code);

/// Whether the code is an authentication, TLS or authorization failure.
bool IsAuthError(int code);

/// "Kafka error <NAME> (<code>) <what>: <librdkafka's description>[: detail]". Codes:
/// retriable errors kUnavailable (timeouts kTimeout); unknown topic kNotFound; topic already
/// exists kAlreadyExists; authentication/authorization kFailedPrecondition; invalid
/// configuration or request kInvalidArgument; the rest kInternal, fatal.
Status ErrorStatus(int code, std::string_view what, std::string_view detail = {});

/// The librdkafka error code carried by a Status built by ErrorStatus, 0 when none.
int ErrorCode(const Status& status);

}  // namespace rivven::kafka
