#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "clients/mysql/mysql_connection.h"

namespace rivven::testing {

/// A throwaway MariaDB 10.11 server for tests, started by `scripts/testenv/mariadb.sh` on a
/// free loopback port: ROW binlog with full images and metadata (server_id 1), root without a
/// password for setup, the account `rivven` / `rivven-secret` with the grants a CDC source
/// needs, the database `rivven_test`; optionally TLS with a test CA and the account
/// `rivven_tls` that must use TLS. Stopped and deleted on destruction. Start-up takes under a
/// second: still, share one per test suite.
class MariadbServer {
 public:
  struct Options {
    bool tls = false;  ///< a server certificate for 127.0.0.1/localhost signed by a test CA
    /// With tls: the server certificate names only DNS:<tls_name> (to test host name checks).
    std::string tls_name;
  };

  static constexpr char kUser[] = "rivven";
  static constexpr char kTlsUser[] = "rivven_tls";
  static constexpr char kPassword[] = "rivven-secret";
  static constexpr char kDatabase[] = "rivven_test";

  /// Whether the MariaDB server binaries are installed (scripts/install-deps.sh).
  static bool Available();
  /// Starts a fresh server; a failed start is reported with the server log.
  static std::unique_ptr<MariadbServer> Start(const Options& options, std::string* error);
  ~MariadbServer();

  const std::string& host() const { return host_; }  ///< "127.0.0.1"
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }  ///< the server's temp directory
  std::string data_dir() const { return dir_ + "/data"; }
  /// Where the binlog files (mysql-bin.NNNNNN) and their index are.
  std::string binlog_dir() const { return data_dir(); }
  /// TLS files made for this server (empty without tls): the CA certificate, the server's
  /// certificate, and a client certificate/key (CN=rivven) signed by the CA.
  std::string ca_path() const;
  std::string server_cert_path() const;
  std::string client_cert_path() const;
  std::string client_key_path() const;

  /// Parameters for root (no password, TLS off, several statements per Exec).
  mysql::ConnectionParams RootParams(const std::string& database = "") const;
  /// Parameters for `rivven` on `rivven_test` (TLS off; tests set the mode they check).
  mysql::ConnectionParams RivvenParams() const;
  /// A fresh root connection; RC_ASSERTs it works (tests only).
  std::unique_ptr<mysql::Connection> Connect(const std::string& database = "") const;
  /// Runs SQL (several statements allowed) as root; returns the error text, empty on success.
  std::string Exec(std::string_view sql, const std::string& database = "") const;
  /// The first column of the first row of a query ("" when none, NULL or on error).
  std::string QueryValue(std::string_view sql, const std::string& database = "") const;

  /// Stops the server (clean shutdown) / starts it again on the same port and data.
  bool Stop();
  bool StartAgain();
  /// Stop and start in one go.
  bool Restart();
  /// The server's error log, for failure messages.
  std::string Log() const;

 private:
  MariadbServer() = default;
  bool RunAndReport(const char* command);

  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string dir_;
  bool tls_ = false;
  bool running_ = false;
};

}  // namespace rivven::testing
