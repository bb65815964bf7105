#include "clients/mysql/mysql_connection.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include <errmsg.h>
#include <mysql.h>

#include "clients/mysql/mysql_error.h"

namespace rivven::mysql {
namespace {

MYSQL* My(void* p) { return static_cast<MYSQL*>(p); }

// mysql_library_init is not thread-safe; mysql_init calls it implicitly on first use.
void InitLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { (void)mysql_library_init(0, nullptr, nullptr); });
}

unsigned int Seconds(std::chrono::seconds s) {
  return static_cast<unsigned int>(std::clamp<int64_t>(s.count(), 1, 365 * 24 * 3600));
}

constexpr struct {
  SslMode mode;
  const char* name;
} kSslModes[] = {
    {SslMode::kDisabled, "disabled"},
    {SslMode::kPreferred, "preferred"},
    {SslMode::kRequired, "required"},
    {SslMode::kVerifyCa, "verify_ca"},
    {SslMode::kVerifyIdentity, "verify_identity"},
};

// Sets the options for `mode`; see SslMode for what each one promises. With a CA file set,
// libmariadb verifies the chain (SSL_VERIFY_PEER); MYSQL_OPT_SSL_VERIFY_SERVER_CERT adds the
// host name check (and, without a CA file, the system trust store). MYSQL_OPT_SSL_ENFORCE only
// asks for TLS: when the server does not offer it the library goes on in plain text, so
// Connection::Open checks the outcome itself.
void SetTlsOptions(MYSQL* mysql, const ConnectionParams& params) {
  if (params.ssl_mode == SslMode::kDisabled) return;
  my_bool on = 1;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  if (params.ssl_mode == SslMode::kVerifyCa || params.ssl_mode == SslMode::kVerifyIdentity) {
    if (!params.ca_path.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, params.ca_path.c_str());
  }
  if (params.ssl_mode == SslMode::kVerifyIdentity) {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
  }
  if (!params.cert_path.empty()) {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_CERT, params.cert_path.c_str());
  }
  if (!params.key_path.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_KEY, params.key_path.c_str());
}

Status CheckParams(const ConnectionParams& params) {
  const std::string where = params.Where();
  if (params.host.empty()) return Status::InvalidArgument("no host given for MySQL " + where);
  if (params.port <= 0 || params.port > 65535) {
    return Status::InvalidArgument("bad port " + std::to_string(params.port) + " for MySQL " +
                                   where);
  }
  if (params.ssl_mode == SslMode::kVerifyCa && params.ca_path.empty()) {
    return Status::InvalidArgument(
        "ssl mode verify_ca needs a CA certificate (ca_path) for MySQL " + where);
  }
  if (params.cert_path.empty() != params.key_path.empty()) {
    return Status::InvalidArgument(
        "a client certificate needs both cert_path and key_path, for MySQL " + where);
  }
  return Status::Ok();
}

// libmariadb's words for a refused server certificate do not always say which check failed
// ("Validation of SSL server certificate failed" is the host name check); the hint does.
std::string TlsFailureHint(unsigned error_number, std::string_view message,
                           const std::string& host) {
  if (error_number != CR_SSL_CONNECTION_ERROR) return "";
  if (message.find("Validation of SSL server certificate failed") != std::string_view::npos) {
    return " (TLS host name mismatch: the server's certificate does not name " + host + ")";
  }
  if (message.find("certificate") != std::string_view::npos) {
    return " (TLS certificate verify failed: ssl_ca did not sign the server's certificate)";
  }
  return "";
}

}  // namespace

Result<SslMode> ParseSslMode(std::string_view text) {
  std::string choices;
  for (const auto& m : kSslModes) {
    if (text == m.name) return m.mode;
    if (!choices.empty()) choices += ", ";
    choices += m.name;
  }
  return Status::InvalidArgument("unknown ssl mode '" + std::string(text) + "' (expected one of " +
                                 choices + ")");
}

const char* SslModeName(SslMode mode) {
  for (const auto& m : kSslModes) {
    if (m.mode == mode) return m.name;
  }
  return "preferred";
}

std::string ConnectionParams::Where() const {
  return user + "@" + host + ":" + std::to_string(port) + "/" + database;
}

// ---- results --------------------------------------------------------------------------------

namespace {
std::optional<size_t> FindColumn(const std::vector<std::string>& names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<size_t>(it - names.begin());
}

std::vector<std::string> ColumnNames(MYSQL_RES* res) {
  std::vector<std::string> names;
  const unsigned int n = mysql_num_fields(res);
  const MYSQL_FIELD* fields = mysql_fetch_fields(res);
  names.reserve(n);
  for (unsigned int i = 0; i < n; ++i) names.emplace_back(fields[i].name, fields[i].name_length);
  return names;
}
}  // namespace

std::optional<size_t> QueryResult::ColumnIndex(std::string_view name) const {
  return FindColumn(column_names_, name);
}

std::optional<std::string_view> QueryResult::Value(size_t row, size_t column) const {
  RC_ASSERT(row < rows_ && column < columns());
  const Cell& cell = cells_[row * columns() + column];
  if (cell.null) return std::nullopt;
  return std::string_view(data_).substr(cell.offset, cell.size);
}

std::optional<std::string_view> QueryResult::Value(size_t row, std::string_view column) const {
  const std::optional<size_t> index = ColumnIndex(column);
  RC_ASSERT(index.has_value());
  return Value(row, *index);
}

std::optional<size_t> RowView::ColumnIndex(std::string_view name) const {
  return FindColumn(*columns_, name);
}

// ---- Connection -----------------------------------------------------------------------------

Connection::~Connection() {
  if (mysql_) mysql_close(My(mysql_));
}

Connection::Connection(Connection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), where_(std::move(other.where_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (mysql_) mysql_close(My(mysql_));
    mysql_ = std::exchange(other.mysql_, nullptr);
    where_ = std::move(other.where_);
  }
  return *this;
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectionParams& params) {
  RC_RETURN_IF_ERROR(CheckParams(params));
  const std::string where = params.Where();
  InitLibrary();
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) {
    return Status::Error(StatusCode::kResourceExhausted, "out of memory connecting to " + where);
  }
  // Owns the handle until the connection is up.
  std::unique_ptr<Connection> conn(new Connection(mysql, where));

  unsigned int protocol = MYSQL_PROTOCOL_TCP;  // "localhost" would otherwise mean the socket
  mysql_optionsv(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  unsigned int connect_timeout = Seconds(params.connect_timeout);
  unsigned int read_timeout = Seconds(params.read_timeout);
  unsigned int write_timeout = Seconds(params.write_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned int no_local_infile = 0;
  mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
  SetTlsOptions(mysql, params);

  const unsigned long flags = params.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
  if (mysql_real_connect(mysql, params.host.c_str(), params.user.c_str(), params.password.c_str(),
                         params.database.empty() ? nullptr : params.database.c_str(),
                         static_cast<unsigned int>(params.port), nullptr, flags) == nullptr) {
    const unsigned error_number = mysql_errno(mysql);
    const std::string message = mysql_error(mysql);
    return ErrorStatus(error_number, mysql_sqlstate(mysql), "connecting to", where,
                       message + TlsFailureHint(error_number, message, params.host));
  }
  if (params.ssl_mode != SslMode::kDisabled && params.ssl_mode != SslMode::kPreferred &&
      mysql_get_ssl_cipher(mysql) == nullptr) {
    return Status::FailedPrecondition(std::string("ssl mode ") + SslModeName(params.ssl_mode) +
                                      " needs TLS, but the server at " + where +
                                      " does not offer it");
  }
  return conn;
}

Status Connection::LastError(std::string_view what) const {
  MYSQL* mysql = My(mysql_);
  return ErrorStatus(mysql_errno(mysql), mysql_sqlstate(mysql), what, where_, mysql_error(mysql));
}

Status Connection::DrainResults(std::string_view what) {
  MYSQL* mysql = My(mysql_);
  for (;;) {
    // Unbuffered: a result nobody asked for is read and dropped, never held in memory.
    if (MYSQL_RES* res = mysql_use_result(mysql)) {
      mysql_free_result(res);
      if (mysql_errno(mysql) != 0) return LastError(what);
    } else if (mysql_field_count(mysql) != 0) {
      return LastError(what);
    }
    const int next = mysql_next_result(mysql);
    if (next < 0) return Status::Ok();
    if (next > 0) return LastError(what);
  }
}

Status Connection::DrainMoreResults(std::string_view what) {
  MYSQL* mysql = My(mysql_);
  if (!mysql_more_results(mysql)) return Status::Ok();
  const int next = mysql_next_result(mysql);
  if (next > 0) return LastError(what);
  if (next < 0) return Status::Ok();
  return DrainResults(what);
}

Status Connection::Exec(std::string_view sql) {
  if (mysql_real_query(My(mysql_), sql.data(), sql.size()) != 0) {
    return LastError("query failed on");
  }
  return DrainResults("query failed on");
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  MYSQL* mysql = My(mysql_);
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return LastError("query failed on");
  QueryResult result;
  MYSQL_RES* res = mysql_store_result(mysql);
  if (res == nullptr) {
    if (mysql_field_count(mysql) != 0) return LastError("query failed on");
    result.affected_rows_ = mysql_affected_rows(mysql);
  } else {
    std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> owner(res, &mysql_free_result);
    result.column_names_ = ColumnNames(res);
    const size_t columns = result.column_names_.size();
    result.rows_ = static_cast<size_t>(mysql_num_rows(res));
    result.cells_.reserve(result.rows_ * columns);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      const unsigned long* lengths = mysql_fetch_lengths(res);
      for (size_t c = 0; c < columns; ++c) {
        QueryResult::Cell cell;
        if (row[c] != nullptr) {
          cell = {result.data_.size(), lengths[c], false};
          result.data_.append(row[c], lengths[c]);
        }
        result.cells_.push_back(cell);
      }
    }
  }
  RC_RETURN_IF_ERROR(DrainMoreResults("query failed on"));
  return result;
}

Status Connection::QueryEach(std::string_view sql,
                             const std::function<Status(const RowView&)>& on_row) {
  MYSQL* mysql = My(mysql_);
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return LastError("query failed on");
  MYSQL_RES* res = mysql_use_result(mysql);
  if (res == nullptr) {
    if (mysql_field_count(mysql) != 0) return LastError("query failed on");
    return DrainResults("query failed on");  // a statement without rows
  }
  const std::vector<std::string> names = ColumnNames(res);
  Status stopped = Status::Ok();
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    stopped = on_row(RowView(row, mysql_fetch_lengths(res), &names));
    if (!stopped.ok()) break;
  }
  // A NULL row is the end or a broken connection; tell them apart before freeing, which reads
  // (and drops) whatever is left of the result.
  Status read =
      stopped.ok() && mysql_errno(mysql) != 0 ? LastError("reading rows failed on") : Status::Ok();
  mysql_free_result(res);
  if (!stopped.ok()) return stopped;
  RC_RETURN_IF_ERROR(read);
  if (mysql_errno(mysql) != 0) return LastError("reading rows failed on");
  return DrainMoreResults("query failed on");
}

std::string Connection::Escape(std::string_view text) {
  std::string out(text.size() * 2 + 1, '\0');
  const unsigned long n =
      mysql_real_escape_string(My(mysql_), out.data(), text.data(), text.size());
  RC_ASSERT(n != static_cast<unsigned long>(-1));
  out.resize(n);
  return out;
}

std::string Connection::QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

bool Connection::is_mariadb() const { return mariadb_connection(My(mysql_)) != 0; }

std::string Connection::server_version() const {
  const char* info = mysql_get_server_info(My(mysql_));
  return info ? info : "";
}

unsigned long Connection::server_version_number() const {
  return mysql_get_server_version(My(mysql_));
}

std::string Connection::tls_cipher() const {
  const char* cipher = mysql_get_ssl_cipher(My(mysql_));
  return cipher ? cipher : "";
}

}  // namespace rivven::mysql
