#include "clients/pg/pg_connection.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <libpq-fe.h>

#include "base/status.h"

namespace rivven::pg {
namespace {

PGconn* Conn(void* p) { return static_cast<PGconn*>(p); }
PGresult* Res(void* p) { return static_cast<PGresult*>(p); }

// Escapes a conninfo value: single quotes around, backslash before ' and \.
std::string ConninfoValue(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// The text of libpq's last error on `conn`, trimmed of trailing newlines.
std::string LastError(PGconn* conn) {
  std::string message = conn ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // libpq may prefix several lines; keep them on one line for logs.
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

// Marker carried in a Status message so SqlState() can find the SQLSTATE again.
constexpr std::string_view kSqlStateTag = " [SQLSTATE ";

// Server errors that a retry can fix: connection loss, shutdown, startup, too many clients,
// serialization failures and deadlocks.
bool RetriableSqlState(std::string_view state) {
  return state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300" || state == "40001" || state == "40P01" || state == "55006";
}

// Connection-time failures that will not go away by themselves: authentication, unknown
// database or role, bad TLS material or a server that refuses TLS when it is required.
bool FatalConnectMessage(const std::string& m) {
  static constexpr const char* kFatal[] = {
      "password authentication failed", "no password supplied", "does not exist",
      "no pg_hba.conf entry", "certificate verify failed", "server does not support SSL",
      "could not read root certificate", "certificate present, but not private key",
      "could not load private key", "server certificate for", "does not match host name",
      "permission denied", "invalid sslmode", "must be superuser or replication role",
      "root certificate file", "could not open certificate file"};
  for (const char* f : kFatal) {
    if (m.find(f) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

const char* TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kDisable: return "disable";
    case TlsMode::kPrefer: return "prefer";
    case TlsMode::kRequire: return "require";
    case TlsMode::kVerifyCa: return "verify-ca";
    case TlsMode::kVerifyFull: return "verify-full";
  }
  return "prefer";
}

// ---- QueryResult ----------------------------------------------------------------------------

QueryResult::~QueryResult() {
  if (result_) PQclear(Res(result_));
}

QueryResult::QueryResult(QueryResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    if (result_) PQclear(Res(result_));
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int QueryResult::rows() const { return result_ ? PQntuples(Res(result_)) : 0; }
int QueryResult::columns() const { return result_ ? PQnfields(Res(result_)) : 0; }

std::string_view QueryResult::column_name(int column) const {
  const char* name = PQfname(Res(result_), column);
  return name ? std::string_view(name) : std::string_view();
}

bool QueryResult::is_null(int row, int column) const {
  return PQgetisnull(Res(result_), row, column) != 0;
}

std::string_view QueryResult::get(int row, int column) const {
  return std::string_view(PQgetvalue(Res(result_), row, column),
                          static_cast<size_t>(PQgetlength(Res(result_), row, column)));
}

std::optional<std::string_view> QueryResult::get(int row, std::string_view column) const {
  const std::string name(column);
  const int index = PQfnumber(Res(result_), name.c_str());
  RC_ASSERT(index >= 0);
  if (is_null(row, index)) return std::nullopt;
  return get(row, index);
}

uint64_t QueryResult::affected() const {
  const char* n = result_ ? PQcmdTuples(Res(result_)) : "";
  return (n && *n) ? std::strtoull(n, nullptr, 10) : 0;
}

// ---- CopyData -------------------------------------------------------------------------------

CopyData::~CopyData() {
  if (data_) PQfreemem(data_);
}

CopyData::CopyData(CopyData&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

CopyData& CopyData::operator=(CopyData&& other) noexcept {
  if (this != &other) {
    if (data_) PQfreemem(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

// ---- Connection -----------------------------------------------------------------------------

Connection::~Connection() {
  if (conn_) PQfinish(Conn(conn_));
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectionParams& params) {
  std::string conninfo;
  auto add = [&](const char* key, std::string_view value) {
    if (value.empty()) return;
    conninfo += key;
    conninfo += '=';
    conninfo += ConninfoValue(value);
    conninfo += ' ';
  };
  add("host", params.host);
  add("port", std::to_string(params.port));
  add("dbname", params.database);
  add("user", params.user);
  add("password", params.password);
  add("sslmode", TlsModeName(params.tls_mode));
  add("sslrootcert", params.tls_ca_path);
  add("sslcert", params.tls_cert_path);
  add("sslkey", params.tls_key_path);
  add("application_name", params.application_name);
  add("connect_timeout", std::to_string(std::max<int64_t>(1, params.connect_timeout.count())));
  if (params.replication) add("replication", "database");
  std::string options;
  for (const auto& [name, value] : params.settings) {
    // In `options`, spaces inside a value are escaped with a backslash.
    options += "-c " + name + "=";
    for (char c : value) {
      if (c == ' ' || c == '\\') options += '\\';
      options += c;
    }
    options += ' ';
  }
  add("options", options);
  // Keep a dead peer from hanging us for the kernel's default two hours.
  add("keepalives", "1");
  add("keepalives_idle", "30");
  add("keepalives_interval", "10");
  add("keepalives_count", "3");

  const std::string where =
      params.host + ":" + std::to_string(params.port) + "/" + params.database;
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string message = LastError(conn);
    if (conn) PQfinish(conn);
    const std::string text = "cannot connect to PostgreSQL at " + where + " as '" +
                             params.user + "': " + message;
    if (FatalConnectMessage(message)) return Status::FailedPrecondition(text);
    return Status::Unavailable(text);
  }
  return std::unique_ptr<Connection>(new Connection(conn, where));
}

Status Connection::ErrorFromConnection(std::string_view what) const {
  const std::string message = LastError(Conn(conn_));
  const bool broken = PQstatus(Conn(conn_)) != CONNECTION_OK;
  std::string text = std::string(what) + " on " + where_ + ": " + message;
  if (broken) return Status::Unavailable(text);
  return Status::Error(StatusCode::kInternal, std::move(text));
}

Result<QueryResult> Connection::Check(void* raw, std::string_view what) {
  QueryResult result(raw);
  if (raw == nullptr) return ErrorFromConnection(what);
  const ExecStatusType status = PQresultStatus(Res(raw));
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_OUT ||
      status == PGRES_COPY_BOTH || status == PGRES_EMPTY_QUERY) {
    return result;
  }
  const char* state_c = PQresultErrorField(Res(raw), PG_DIAG_SQLSTATE);
  const std::string state = state_c ? state_c : "";
  std::string message = PQresultErrorMessage(Res(raw));
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::string text = std::string(what) + " on " + where_ + ": " + message;
  if (!state.empty()) text += std::string(kSqlStateTag) + state + "]";
  const bool broken = PQstatus(Conn(conn_)) != CONNECTION_OK;
  if (broken || RetriableSqlState(state)) return Status::Unavailable(std::move(text));
  return Status::Error(StatusCode::kFailedPrecondition, std::move(text));
}

Result<QueryResult> Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  return Check(PQexec(Conn(conn_), text.c_str()), "query failed");
}

Result<QueryResult> Connection::ExecParams(std::string_view sql,
                                           const std::vector<std::optional<std::string>>& params) {
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Check(PQexecParams(Conn(conn_), text.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               "query failed");
}

Status Connection::CopyOut(std::string_view copy_sql,
                           const std::function<bool(std::string_view)>& on_row) {
  RC_ASSIGN_OR_RETURN(QueryResult started, Exec(copy_sql));
  if (PQresultStatus(Res(started.result_)) != PGRES_COPY_OUT) {
    return Status::InvalidArgument("not a COPY ... TO STDOUT statement: " + std::string(copy_sql));
  }
  bool cancelled = false;
  for (;;) {
    char* buffer = nullptr;
    const int n = PQgetCopyData(Conn(conn_), &buffer, 0);
    if (n > 0) {
      std::string_view line(buffer, static_cast<size_t>(n));
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      const bool more = cancelled || on_row(line);
      PQfreemem(buffer);
      if (!more && !cancelled) {
        cancelled = true;
        // Ask the server to stop; the rest of the stream (and the error) is drained below.
        if (PGcancel* cancel = PQgetCancel(Conn(conn_))) {
          char err[256];
          (void)PQcancel(cancel, err, sizeof(err));
          PQfreeCancel(cancel);
        }
      }
      continue;
    }
    if (n == -1) break;  // done: the final result follows
    return ErrorFromConnection("reading COPY data failed");
  }
  Status final_status = Status::Ok();
  while (PGresult* r = PQgetResult(Conn(conn_))) {
    auto checked = Check(r, "COPY failed");
    if (!checked.ok() && final_status.ok()) final_status = checked.status();
  }
  if (cancelled) return Status::Cancelled("COPY cancelled on " + where_);
  return final_status;
}

Status Connection::StartCopyBoth(std::string_view command) {
  RC_ASSIGN_OR_RETURN(QueryResult started, Exec(command));
  if (PQresultStatus(Res(started.result_)) != PGRES_COPY_BOTH) {
    return Status::Error(StatusCode::kInternal,
                         "the server did not start streaming on " + where_ + " for: " +
                             std::string(command));
  }
  return Status::Ok();
}

Result<CopyData> Connection::ReadCopyData(std::chrono::milliseconds timeout,
                                         std::stop_token stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    char* buffer = nullptr;
    const int n = PQgetCopyData(Conn(conn_), &buffer, /*async=*/1);
    if (n > 0) return CopyData(buffer, static_cast<size_t>(n));
    if (n == -1) {
      // The stream ended: the server sent CopyDone, then a result (often an error).
      Status ended = Status::Unavailable("replication stream ended on " + where_);
      while (PGresult* r = PQgetResult(Conn(conn_))) {
        auto checked = Check(r, "replication stream ended");
        if (!checked.ok() && ended.message().find("SQLSTATE") == std::string::npos) {
          ended = checked.status();
        }
      }
      return ended;
    }
    if (n == -2) return ErrorFromConnection("replication stream broke");
    // n == 0: nothing complete yet; wait for the socket, in short slices to notice `stop`.
    // The socket is looked at once even when the time is up, so data already there is read.
    if (stop.stop_requested()) return CopyData();
    const auto left = std::max<std::chrono::milliseconds::rep>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
               .count());
    pollfd pfd{PQsocket(Conn(conn_)), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 100)));
    if (ready < 0 && errno != EINTR) return Status::FromErrno(errno, "poll on " + where_);
    if (ready > 0) {
      if (PQconsumeInput(Conn(conn_)) == 0) return ErrorFromConnection("replication stream broke");
      continue;
    }
    if (left == 0) {
      // Time is up. Below a receive low-water mark the socket may hold data that poll did not
      // report: take it.
      if (PQconsumeInput(Conn(conn_)) == 0) return ErrorFromConnection("replication stream broke");
      char* last = nullptr;
      const int m = PQgetCopyData(Conn(conn_), &last, /*async=*/1);
      if (m > 0) return CopyData(last, static_cast<size_t>(m));
      if (m < 0) continue;  // ended or broke: reported by the next round
      return CopyData();
    }
  }
}

Status Connection::SetReceiveLowWater(int bytes) {
  if (::setsockopt(PQsocket(Conn(conn_)), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes)) != 0) {
    return Status::FromErrno(errno, "setting SO_RCVLOWAT on " + where_);
  }
  return Status::Ok();
}

Status Connection::WriteCopyData(std::string_view data) {
  if (PQputCopyData(Conn(conn_), data.data(), static_cast<int>(data.size())) != 1 ||
      PQflush(Conn(conn_)) != 0) {
    return ErrorFromConnection("sending to the replication stream failed");
  }
  return Status::Ok();
}

std::string Connection::QuoteLiteral(std::string_view text) {
  char* q = PQescapeLiteral(Conn(conn_), text.data(), text.size());
  RC_ASSERT(q != nullptr);
  std::string out(q);
  PQfreemem(q);
  return out;
}

std::string Connection::QuoteIdentifier(std::string_view name) {
  char* q = PQescapeIdentifier(Conn(conn_), name.data(), name.size());
  RC_ASSERT(q != nullptr);
  std::string out(q);
  PQfreemem(q);
  return out;
}

int Connection::server_version() const { return PQserverVersion(Conn(conn_)); }

bool Connection::uses_tls() const { return PQsslInUse(Conn(conn_)) != 0; }

std::string SqlState(const Status& status) {
  const std::string& m = status.message();
  const size_t at = m.rfind(kSqlStateTag);
  if (at == std::string::npos) return {};
  const size_t begin = at + kSqlStateTag.size();
  const size_t end = m.find(']', begin);
  return end == std::string::npos ? std::string() : m.substr(begin, end - begin);
}

}  // namespace rivven::pg
