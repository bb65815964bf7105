#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

// MySQL/MariaDB errors as Status values: one message format, one classification. Pure
// functions, no libmariadb header: unit-tested without a server.
namespace rivven::mysql {

/// ER_MASTER_FATAL_ERROR_READING_BINLOG: the server cannot send the binlog from the requested
/// file/position/GTID (purged, never existed, or past its end).
inline constexpr unsigned kErrorBinlogUnavailable = 1236;

/// Whether an operation that failed with this MySQL/MariaDB error number (server errors
/// 1000-4999, client errors 2000-2999 and 5000-5999) may succeed when repeated later:
/// connection refused or lost, server starting, shutting down or killing the connection, too
/// many connections, deadlock and lock wait timeouts. Authentication, privileges, syntax,
/// unknown objects and TLS failures are not.
bool IsRetriableError(unsigned error_number);

/// The Status for a failed call: "MySQL error <number> (<sqlstate>) <what> <where>: <message>",
/// e.g. "MySQL error 1045 (28000) connecting to rivven@127.0.0.1:3306/db: Access denied ...".
/// Codes: retriable errors kUnavailable, 1236 kNotFound (fatal), syntax errors
/// kInvalidArgument, everything else kFailedPrecondition (fatal). `what` reads as a verb phrase
/// ("connecting to", "query failed on").
Status ErrorStatus(unsigned error_number, std::string_view sqlstate, std::string_view what,
                   std::string_view where, std::string_view message);

/// The error number carried by a Status built by ErrorStatus (also after WithContext), 0 when
/// there is none.
unsigned ErrorNumber(const Status& status);
/// The SQLSTATE carried by a Status built by ErrorStatus, empty when there is none.
std::string ErrorSqlState(const Status& status);
/// Whether the Status says the server cannot serve the binlog from the requested position
/// (error 1236): resuming there is impossible, a new snapshot is needed.
inline bool IsBinlogUnavailable(const Status& status) {
  return ErrorNumber(status) == kErrorBinlogUnavailable;
}

}  // namespace rivven::mysql
