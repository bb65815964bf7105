#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clients/pg/pg_connection.h"

namespace rivven::testing {

/// A throwaway PostgreSQL 15 cluster for tests, started by `scripts/testenv/postgres.sh` on a
/// free loopback port (wal_level=logical, trust authentication for `postgres`, password
/// authentication for the role `rivven` / password `rivven-secret`, optionally TLS with a test
/// CA). Stopped and deleted on destruction. Start-up takes about 2 s: share one per test suite.
class PostgresServer {
 public:
  struct Options {
    bool tls = false;  ///< ssl=on with a certificate for 127.0.0.1/localhost signed by a test CA
  };

  /// Whether the PostgreSQL 15 server binaries are installed (scripts/install-deps.sh).
  static bool Available();
  /// Starts a fresh cluster; a failed start is reported with the server log. RC_ASSERTs nothing.
  static std::unique_ptr<PostgresServer> Start(const Options& options, std::string* error);
  ~PostgresServer();

  const std::string& host() const { return host_; }  ///< "127.0.0.1"
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }  ///< the cluster's temp directory
  /// TLS files made for this cluster (empty without tls): the CA certificate, and a client
  /// certificate/key signed by it.
  std::string ca_path() const;
  std::string client_cert_path() const;
  std::string client_key_path() const;

  /// Connection parameters for the superuser `postgres` (no password) on `database`.
  pg::ConnectionParams Params(const std::string& database = "postgres") const;
  /// A fresh connection as `postgres`; RC_ASSERTs it works (tests only).
  std::unique_ptr<pg::Connection> Connect(const std::string& database = "postgres") const;
  /// Runs SQL as `postgres`; returns the error text, empty on success.
  std::string Exec(std::string_view sql, const std::string& database = "postgres") const;
  /// The first column of the first row of a query ("" when none or on error).
  std::string QueryValue(std::string_view sql, const std::string& database = "postgres") const;

  /// Stops the server (fast shutdown) / starts it again on the same port and data.
  bool Stop();
  bool StartAgain();
  /// The server log, for failure messages.
  std::string Log() const;

 private:
  PostgresServer() = default;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string dir_;
  bool tls_ = false;
  bool running_ = false;
};

}  // namespace rivven::testing
