#include "clients/mysql/mysql_error.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace rivven::mysql {
namespace {

constexpr std::string_view kPrefix = "MySQL error ";

// Error numbers that describe a transient state of the server or the network. Client errors
// (2000-2999, 5000-5999) are from errmsg.h, server errors from mysqld_error.h.
constexpr unsigned kRetriable[] = {
    // client: cannot create a socket / connect / find the host, server gone or lost,
    // handshake cut, network read or write failed
    2001, 2002, 2003, 2004, 2005, 2006, 2011, 2012, 2013, 2055, 5013, 5014,
    1040,  // ER_CON_COUNT_ERROR: too many connections
    1041,  // ER_OUT_OF_RESOURCES
    1043,  // ER_HANDSHAKE_ERROR: bad handshake (a cut connection)
    1053,  // ER_SERVER_SHUTDOWN: shutdown in progress
    1152,  // ER_ABORTING_CONNECTION
    1156,  // ER_NET_PACKETS_OUT_OF_ORDER
    1158,  // ER_NET_READ_ERROR
    1159,  // ER_NET_READ_INTERRUPTED
    1160,  // ER_NET_ERROR_ON_WRITE
    1161,  // ER_NET_WRITE_INTERRUPTED
    1184,  // ER_NEW_ABORTING_CONNECTION
    1203,  // ER_TOO_MANY_USER_CONNECTIONS
    1205,  // ER_LOCK_WAIT_TIMEOUT
    1213,  // ER_LOCK_DEADLOCK
    1317,  // ER_QUERY_INTERRUPTED (KILL QUERY, shutdown)
    1689,  // ER_LOCK_ABORTED
    1927,  // ER_CONNECTION_KILLED (KILL, shutdown)
    1969,  // ER_STATEMENT_TIMEOUT (max_statement_time)
    3058,  // ER_USER_LOCK_DEADLOCK
};

// Errors in the SQL text itself: repeating it cannot help, and the caller's input is at fault.
bool IsSyntaxError(unsigned n) { return n == 1064 || n == 1149; }

}  // namespace

bool IsRetriableError(unsigned error_number) {
  return std::find(std::begin(kRetriable), std::end(kRetriable), error_number) !=
         std::end(kRetriable);
}

Status ErrorStatus(unsigned error_number, std::string_view sqlstate, std::string_view what,
                   std::string_view where, std::string_view message) {
  std::string text(kPrefix);
  text += std::to_string(error_number);
  if (!sqlstate.empty()) {
    text += " (";
    text += sqlstate;
    text += ')';
  }
  text += ' ';
  text += what;
  text += ' ';
  text += where;
  text += ": ";
  // Server messages may span lines; keep log lines whole.
  for (char c : message) text += (c == '\n' || c == '\r') ? ' ' : c;
  while (!text.empty() && text.back() == ' ') text.pop_back();

  if (IsRetriableError(error_number)) return Status::Unavailable(std::move(text));
  if (error_number == kErrorBinlogUnavailable) {
    return Status::Error(StatusCode::kNotFound, std::move(text));
  }
  if (IsSyntaxError(error_number)) return Status::InvalidArgument(std::move(text));
  return Status::FailedPrecondition(std::move(text));
}

unsigned ErrorNumber(const Status& status) {
  const std::string& m = status.message();
  const size_t at = m.find(kPrefix);
  if (at == std::string::npos) return 0;
  return static_cast<unsigned>(std::strtoul(m.c_str() + at + kPrefix.size(), nullptr, 10));
}

std::string ErrorSqlState(const Status& status) {
  const std::string& m = status.message();
  size_t at = m.find(kPrefix);
  if (at == std::string::npos) return {};
  at += kPrefix.size();
  while (at < m.size() && std::isdigit(static_cast<unsigned char>(m[at]))) ++at;
  if (m.compare(at, 2, " (") != 0) return {};
  const size_t begin = at + 2;
  const size_t end = m.find(')', begin);
  if (end == std::string::npos || end - begin != 5) return {};
  return m.substr(begin, end - begin);
}

}  // namespace rivven::mysql
