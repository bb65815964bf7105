#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

// RAII wrappers around MariaDB Connector/C (libmariadb). No libmariadb header here: MYSQL and
// MYSQL_RES stay opaque. Errors are built by clients/mysql/mysql_error.h.
namespace rivven::mysql {

/// How a connection uses TLS, as the connector's `tls.mode`:
///   disabled        plain TCP, even if the server offers TLS;
///   preferred       TLS when the server offers it, without verifying its certificate;
///   required        TLS or fail, without verifying the certificate;
///   verify_ca       TLS or fail, the server's chain verified against `ca_path` (required);
///   verify_identity verify_ca plus the host name (or IP) checked against the certificate's
///                   names; without `ca_path` the system's trust store is used.
enum class SslMode { kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity };

/// Parses `disabled|preferred|required|verify_ca|verify_identity`. The error names the value
/// and the choices.
Result<SslMode> ParseSslMode(std::string_view text);
const char* SslModeName(SslMode mode);

/// Where and how to connect. Always TCP (also for "localhost"), charset utf8mb4.
struct ConnectionParams {
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;  ///< may be empty: no default database
  SslMode ssl_mode = SslMode::kPreferred;
  std::string ca_path;    ///< PEM CA certificate(s) for verify_ca / verify_identity
  std::string cert_path;  ///< PEM client certificate (for accounts that REQUIRE X509)
  std::string key_path;   ///< PEM client key
  std::chrono::seconds connect_timeout{10};
  /// A read or write that waits longer than this fails with a retriable error. A binlog stream
  /// raises the read timeout above its heartbeat period on its own.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  /// Several `;`-separated statements per Exec. Only for trusted SQL (tests, setup scripts):
  /// it turns a quoting mistake into an injection.
  bool multi_statements = false;

  /// "user@host:port/database", for messages; never the password.
  std::string Where() const;
};

/// One buffered result set, copied out of the library: column names and rows of nullable
/// text values (the server's text protocol). Rows and columns are 0-based.
class QueryResult {
 public:
  size_t rows() const { return rows_; }
  size_t columns() const { return column_names_.size(); }
  const std::vector<std::string>& column_names() const { return column_names_; }
  /// The index of the column called `name` (exact match), nullopt when there is none.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
  /// The value, nullopt for SQL NULL. RC_ASSERTs the cell exists.
  std::optional<std::string_view> Value(size_t row, size_t column) const;
  /// The value of the named column; nullopt for NULL. RC_ASSERTs the column exists.
  std::optional<std::string_view> Value(size_t row, std::string_view column) const;
  /// Rows changed by the statement (INSERT/UPDATE/DELETE), 0 for a query.
  uint64_t affected_rows() const { return affected_rows_; }

 private:
  friend class Connection;
  struct Cell {
    size_t offset = 0;
    size_t size = 0;
    bool null = true;
  };
  std::vector<std::string> column_names_;
  std::string data_;         // every value, back to back
  std::vector<Cell> cells_;  // rows() * columns(), row-major
  size_t rows_ = 0;
  uint64_t affected_rows_ = 0;
};

/// One row of a streamed result (Connection::QueryEach), pointing into the library's buffer:
/// valid only during the callback that received it.
class RowView {
 public:
  size_t size() const { return columns_->size(); }
  bool IsNull(size_t column) const { return values_[column] == nullptr; }
  /// The value's bytes (embedded NULs included); empty for NULL.
  std::string_view View(size_t column) const {
    return values_[column] == nullptr ? std::string_view()
                                      : std::string_view(values_[column], lengths_[column]);
  }
  /// nullopt for NULL.
  std::optional<std::string_view> Value(size_t column) const {
    if (values_[column] == nullptr) return std::nullopt;
    return std::string_view(values_[column], lengths_[column]);
  }
  const std::vector<std::string>& column_names() const { return *columns_; }
  std::optional<size_t> ColumnIndex(std::string_view name) const;

 private:
  friend class Connection;
  RowView(char** values, const unsigned long* lengths, const std::vector<std::string>* columns)
      : values_(values), lengths_(lengths), columns_(columns) {}
  char** values_;
  const unsigned long* lengths_;
  const std::vector<std::string>* columns_;
};

/// One client connection (a MYSQL* handle). Move-only; closed on destruction. Not thread-safe:
/// one thread at a time. Nothing here is durable; it only talks to the server.
class Connection {
 public:
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connects with the TLS mode's checks applied. Errors name params.Where() and carry the
  /// MySQL error number and SQLSTATE; retriable for connection loss, refused connections, a
  /// server starting or shutting down and too many connections; fatal for authentication,
  /// privileges, unknown database, TLS verification and bad parameters.
  static Result<std::unique_ptr<Connection>> Open(const ConnectionParams& params);

  /// Runs a statement (several with multi_statements) and discards any result set.
  Status Exec(std::string_view sql);
  /// Runs one statement and buffers its whole result. For small results (metadata, counts);
  /// stream large ones with QueryEach.
  Result<QueryResult> Query(std::string_view sql);
  /// Runs one statement and calls `on_row` per row as rows arrive (mysql_use_result): memory
  /// stays at about one network packet whatever the result size. An error from `on_row` stops
  /// the iteration and is returned after the rest of the result has been read and dropped (the
  /// protocol has no way to abandon a result half-way).
  Status QueryEach(std::string_view sql, const std::function<Status(const RowView&)>& on_row);

  /// The text escaped for use inside a quoted SQL string (mysql_real_escape_string, in the
  /// connection's character set); the quotes are not added.
  std::string Escape(std::string_view text);
  /// `name` in backticks, backticks inside doubled: usable as a schema/table/column name.
  static std::string QuoteIdentifier(std::string_view name);

  bool is_mariadb() const;
  std::string server_version() const;           ///< e.g. "10.11.19-MariaDB-0+deb12u1-log"
  unsigned long server_version_number() const;  ///< e.g. 101119
  /// The TLS cipher in use, empty without TLS.
  std::string tls_cipher() const;
  /// "user@host:port/database", for messages.
  const std::string& where() const { return where_; }
  /// The MYSQL* handle, for libmariadb APIs that need it (BinlogStream). Still owned here.
  void* native_handle() const { return mysql_; }

 private:
  Connection(void* mysql, std::string where) : mysql_(mysql), where_(std::move(where)) {}
  /// The connection's last error as a Status: "MySQL error N (STATE) <what> on <where>: ...".
  Status LastError(std::string_view what) const;
  /// Reads (and drops) the current result set and any further ones of a multi-statement query.
  Status DrainResults(std::string_view what);
  /// Reads (and drops) the result sets after the current one, if any.
  Status DrainMoreResults(std::string_view what);

  void* mysql_ = nullptr;  // MYSQL*
  std::string where_;
};

}  // namespace rivven::mysql
