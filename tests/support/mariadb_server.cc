#include "support/mariadb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/status.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

constexpr char kServerBinary[] = "/usr/sbin/mariadbd";
// Start-up takes about a second; the script bounds each of its own waits to 30 s.
constexpr std::chrono::seconds kScriptTimeout{120};
// Another process may take the port between our probe and the server's bind: start over.
constexpr int kStartAttempts = 3;

ProcessResult RunScript(const std::vector<std::string>& args) {
  return RunTestenvScript("mariadb.sh", args, kScriptTimeout);
}

}  // namespace

bool MariadbServer::Available() { return std::filesystem::exists(kServerBinary); }

std::unique_ptr<MariadbServer> MariadbServer::Start(const Options& options, std::string* error) {
  if (!Available()) {
    *error = std::string(kServerBinary) + " not found: run scripts/install-deps.sh";
    return nullptr;
  }
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    std::unique_ptr<MariadbServer> server(new MariadbServer());
    server->tls_ = options.tls || !options.tls_name.empty();
    server->port_ = UnusedLoopbackPort();
    server->dir_ = MakeTempDir("rivven-mariadb");
    if (server->port_ == 0 || server->dir_.empty()) {
      *error = "no free loopback port or temp directory for MariaDB";
      return nullptr;
    }
    std::vector<std::string> args = {"start", server->dir_, std::to_string(server->port_)};
    if (!options.tls_name.empty()) {
      args.insert(args.end(), {"--tls-name", options.tls_name});
    } else if (options.tls) {
      args.push_back("--tls");
    }
    // The script stops the server and deletes its directory if this process dies first.
    args.insert(args.end(), {"--owner-pid", std::to_string(getpid())});
    // A start that fails half-way may leave a server behind: the destructor stops it.
    server->running_ = true;
    const ProcessResult r = RunScript(args);
    if (r.exit_code == 0) {
      error->clear();
      return server;
    }
    *error = "scripts/testenv/mariadb.sh start failed (" + DescribeResult(r) + ")";
    const bool port_taken = r.err.find("Address already in use") != std::string::npos;
    if (!port_taken) return nullptr;
  }
  return nullptr;
}

MariadbServer::~MariadbServer() {
  if (running_ && std::filesystem::exists(dir_ + "/mariadbd.args") && !Stop()) {
    std::fprintf(stderr, "MariadbServer: stopping the server in %s failed\n", dir_.c_str());
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string MariadbServer::ca_path() const { return tls_ ? dir_ + "/tls/ca.crt" : ""; }
std::string MariadbServer::server_cert_path() const { return tls_ ? dir_ + "/tls/server.crt" : ""; }
std::string MariadbServer::client_cert_path() const { return tls_ ? dir_ + "/tls/client.crt" : ""; }
std::string MariadbServer::client_key_path() const { return tls_ ? dir_ + "/tls/client.key" : ""; }

mysql::ConnectionParams MariadbServer::RootParams(const std::string& database) const {
  mysql::ConnectionParams params;
  params.host = host_;
  params.port = port_;
  params.user = "root";
  params.database = database;
  params.ssl_mode = mysql::SslMode::kDisabled;
  params.multi_statements = true;
  return params;
}

mysql::ConnectionParams MariadbServer::RivvenParams() const {
  mysql::ConnectionParams params;
  params.host = host_;
  params.port = port_;
  params.user = kUser;
  params.password = kPassword;
  params.database = kDatabase;
  params.ssl_mode = mysql::SslMode::kDisabled;
  return params;
}

std::unique_ptr<mysql::Connection> MariadbServer::Connect(const std::string& database) const {
  auto conn = mysql::Connection::Open(RootParams(database));
  if (!conn.ok()) {
    std::fprintf(stderr, "MariadbServer: %s\n%s\n", conn.status().ToString().c_str(),
                 Log().c_str());
  }
  RC_ASSERT(conn.ok());
  return std::move(conn).value();
}

std::string MariadbServer::Exec(std::string_view sql, const std::string& database) const {
  auto conn = mysql::Connection::Open(RootParams(database));
  if (!conn.ok()) return conn.status().ToString();
  const Status s = (*conn)->Exec(sql);
  return s.ok() ? "" : s.ToString();
}

std::string MariadbServer::QueryValue(std::string_view sql, const std::string& database) const {
  auto conn = mysql::Connection::Open(RootParams(database));
  if (!conn.ok()) return "";
  auto result = (*conn)->Query(sql);
  if (!result.ok() || result->rows() == 0 || result->columns() == 0) return "";
  return std::string(result->Value(0, size_t{0}).value_or(""));
}

bool MariadbServer::RunAndReport(const char* command) {
  const ProcessResult r = RunScript({command, dir_});
  if (r.exit_code != 0) {
    std::fprintf(stderr, "MariadbServer: %s\n", DescribeResult(r).c_str());
    return false;
  }
  return true;
}

bool MariadbServer::Stop() {
  if (!RunAndReport("stop")) return false;
  running_ = false;
  return true;
}

bool MariadbServer::StartAgain() {
  // restart-server stops a running server first, so it also serves Restart.
  if (!RunAndReport("restart-server")) return false;
  running_ = true;
  return true;
}

bool MariadbServer::Restart() { return StartAgain(); }

std::string MariadbServer::Log() const {
  std::ifstream in(dir_ + "/error.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace rivven::testing
