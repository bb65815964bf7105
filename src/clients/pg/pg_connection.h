#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

// RAII wrappers around libpq (no libpq header here: PGconn/PGresult stay opaque).
namespace rivven::pg {

/// libpq's sslmode values, as the spec's `tls.mode`.
enum class TlsMode { kDisable, kPrefer, kRequire, kVerifyCa, kVerifyFull };

const char* TlsModeName(TlsMode mode);

/// Where and how to connect.
struct ConnectionParams {
  std::string host;
  int port = 5432;
  std::string database;
  std::string user;
  std::string password;
  TlsMode tls_mode = TlsMode::kPrefer;
  std::string tls_ca_path;    ///< sslrootcert
  std::string tls_cert_path;  ///< sslcert (client certificate)
  std::string tls_key_path;   ///< sslkey
  /// A walsender connection (replication=database): replication commands and SQL.
  bool replication = false;
  std::string application_name = "rivven-connect";
  std::chrono::seconds connect_timeout{10};
  /// Session settings sent at connect (`-c name=value`), e.g. TimeZone=UTC.
  std::vector<std::pair<std::string, std::string>> settings;
};

/// One result set, text format. Rows and columns are 0-based.
class QueryResult {
 public:
  QueryResult() = default;
  ~QueryResult();
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;

  int rows() const;
  int columns() const;
  std::string_view column_name(int column) const;
  bool is_null(int row, int column) const;
  /// The text value ("" for NULL).
  std::string_view get(int row, int column) const;
  /// The value of the named column; nullopt for NULL. RC_ASSERTs the column exists.
  std::optional<std::string_view> get(int row, std::string_view column) const;
  /// Number of rows affected (INSERT/UPDATE/DELETE), 0 when not applicable.
  uint64_t affected() const;

 private:
  friend class Connection;
  explicit QueryResult(void* result) : result_(result) {}
  void* result_ = nullptr;  // PGresult*
};

/// One CopyData message, owning libpq's buffer; empty when there was none.
class CopyData {
 public:
  CopyData() = default;
  CopyData(char* data, size_t size) : data_(data), size_(size) {}
  ~CopyData();
  CopyData(CopyData&& other) noexcept;
  CopyData& operator=(CopyData&& other) noexcept;
  CopyData(const CopyData&) = delete;
  CopyData& operator=(const CopyData&) = delete;

  explicit operator bool() const { return data_ != nullptr; }
  std::string_view view() const { return std::string_view(data_, size_); }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

/// One connection. Not thread-safe: one thread at a time (Cancel is the exception).
class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connects and checks the server answers. Errors are retriable for network/server-start
  /// failures and fatal for authentication or bad parameters, and name host:port/database.
  static Result<std::unique_ptr<Connection>> Open(const ConnectionParams& params);

  /// Runs one or more statements; the result of the last. Errors carry the SQLSTATE and the
  /// server's message ("ERROR: relation \"x\" does not exist (42P01)").
  Result<QueryResult> Exec(std::string_view sql);
  /// One statement with text parameters ($1, $2, ...); nullopt = NULL.
  Result<QueryResult> ExecParams(std::string_view sql,
                                 const std::vector<std::optional<std::string>>& params);

  /// Runs `COPY ... TO STDOUT` and calls `on_row` for each data row (one line of COPY text
  /// format, without the trailing newline). `on_row` returning false cancels the COPY.
  Status CopyOut(std::string_view copy_sql, const std::function<bool(std::string_view)>& on_row);

  /// Starts a COPY BOTH stream (START_REPLICATION). Then use ReadCopyData / WriteCopyData.
  Status StartCopyBoth(std::string_view command);
  /// The next CopyData message of a COPY BOTH stream, in libpq's own buffer (no copy). Empty
  /// when nothing arrived within `timeout` (or when `stop` was requested); an error when the
  /// stream ended or the connection broke.
  Result<CopyData> ReadCopyData(std::chrono::milliseconds timeout, std::stop_token stop);
  /// How many bytes must wait in the socket before a read wakes up (SO_RCVLOWAT; 1 = any).
  /// Under a steady stream a larger mark means fewer, fuller reads; ReadCopyData still takes
  /// what is there when its time is up.
  Status SetReceiveLowWater(int bytes);

  /// Sends one CopyData message and flushes it.
  Status WriteCopyData(std::string_view data);

  /// Quotes a literal / an identifier for embedding in SQL.
  std::string QuoteLiteral(std::string_view text);
  std::string QuoteIdentifier(std::string_view name);

  int server_version() const;  ///< e.g. 150020
  /// Where this connection goes, for messages: "host:port/database".
  const std::string& where() const { return where_; }
  /// Whether the TLS layer is in use.
  bool uses_tls() const;

 private:
  Connection(void* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  Status ErrorFromConnection(std::string_view what) const;
  Result<QueryResult> Check(void* result, std::string_view what);

  void* conn_;  // PGconn*
  std::string where_;
};

/// The SQLSTATE of a server error carried by a Status from this module, empty when none.
std::string SqlState(const Status& status);

}  // namespace rivven::pg
