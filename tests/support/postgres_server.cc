#include "support/postgres_server.h"

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

constexpr char kInitdb[] = "/usr/lib/postgresql/15/bin/initdb";
// Start-up takes about a second; the script bounds each of its own waits to 30 s.
constexpr std::chrono::seconds kScriptTimeout{120};
// Another process may take the port between our probe and the server's bind: start over.
constexpr int kStartAttempts = 3;

ProcessResult RunScript(const std::vector<std::string>& args) {
  return RunTestenvScript("postgres.sh", args, kScriptTimeout);
}

void RemoveDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace

bool PostgresServer::Available() { return std::filesystem::exists(kInitdb); }

std::unique_ptr<PostgresServer> PostgresServer::Start(const Options& options, std::string* error) {
  if (!Available()) {
    *error = std::string(kInitdb) + " not found: run scripts/install-deps.sh";
    return nullptr;
  }
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    std::unique_ptr<PostgresServer> server(new PostgresServer());
    server->tls_ = options.tls;
    server->port_ = UnusedLoopbackPort();
    server->dir_ = MakeTempDir("rivven-pg");
    if (server->port_ == 0 || server->dir_.empty()) {
      *error = "no free loopback port or temp directory for PostgreSQL";
      return nullptr;
    }
    std::vector<std::string> args = {"start", server->dir_, std::to_string(server->port_)};
    if (options.tls) args.push_back("--tls");
    // The script stops the cluster and deletes its directory if this process dies first.
    args.insert(args.end(), {"--owner-pid", std::to_string(getpid())});
    // A start that fails half-way may leave a server behind: the destructor stops it.
    server->running_ = true;
    const ProcessResult r = RunScript(args);
    if (r.exit_code == 0) {
      error->clear();
      return server;
    }
    *error = "scripts/testenv/postgres.sh start failed (" + DescribeResult(r) + ")";
    const bool port_taken = r.err.find("Address already in use") != std::string::npos;
    if (!port_taken) return nullptr;
  }
  return nullptr;
}

PostgresServer::~PostgresServer() {
  if (running_ && std::filesystem::exists(dir_ + "/data") && !Stop()) {
    std::fprintf(stderr, "PostgresServer: stopping the server in %s failed\n", dir_.c_str());
  }
  if (!dir_.empty()) RemoveDir(dir_);
}

std::string PostgresServer::ca_path() const { return tls_ ? dir_ + "/tls/ca.crt" : ""; }
std::string PostgresServer::client_cert_path() const {
  return tls_ ? dir_ + "/tls/client.crt" : "";
}
std::string PostgresServer::client_key_path() const { return tls_ ? dir_ + "/tls/client.key" : ""; }

pg::ConnectionParams PostgresServer::Params(const std::string& database) const {
  pg::ConnectionParams params;
  params.host = host_;
  params.port = port_;
  params.database = database;
  params.user = "postgres";
  if (tls_) {
    params.tls_mode = pg::TlsMode::kVerifyFull;
    params.tls_ca_path = ca_path();
  } else {
    params.tls_mode = pg::TlsMode::kDisable;
  }
  return params;
}

std::unique_ptr<pg::Connection> PostgresServer::Connect(const std::string& database) const {
  auto conn = pg::Connection::Open(Params(database));
  if (!conn.ok()) {
    std::fprintf(stderr, "PostgresServer: %s\n%s\n", conn.status().ToString().c_str(),
                 Log().c_str());
  }
  RC_ASSERT(conn.ok());
  return std::move(conn).value();
}

std::string PostgresServer::Exec(std::string_view sql, const std::string& database) const {
  auto conn = pg::Connection::Open(Params(database));
  if (!conn.ok()) return conn.status().ToString();
  auto result = (*conn)->Exec(sql);
  return result.ok() ? "" : result.status().ToString();
}

std::string PostgresServer::QueryValue(std::string_view sql, const std::string& database) const {
  auto conn = pg::Connection::Open(Params(database));
  if (!conn.ok()) return "";
  auto result = (*conn)->Exec(sql);
  if (!result.ok() || result->rows() == 0 || result->columns() == 0) return "";
  return std::string(result->get(0, 0));
}

bool PostgresServer::Stop() {
  const ProcessResult r = RunScript({"stop", dir_});
  if (r.exit_code != 0) {
    std::fprintf(stderr, "PostgresServer: %s\n", DescribeResult(r).c_str());
    return false;
  }
  running_ = false;
  return true;
}

bool PostgresServer::StartAgain() {
  const ProcessResult r = RunScript({"restart-server", dir_});
  if (r.exit_code != 0) {
    std::fprintf(stderr, "PostgresServer: %s\n", DescribeResult(r).c_str());
    return false;
  }
  running_ = true;
  return true;
}

std::string PostgresServer::Log() const {
  std::ifstream in(dir_ + "/server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace rivven::testing
