#include "support/s3rver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace rivven::testing {
namespace {

constexpr std::chrono::seconds kStartTimeout{30};
// Another process may take the port between our probe and s3rver's bind: start over.
constexpr int kStartAttempts = 3;

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::unique_ptr<S3rver> S3rver::Start(const std::vector<std::string>& buckets, std::string* error) {
  const std::string node = FindOnPath("node");
  const std::string script = SourceDir() + "/tests/peers/node_modules/s3rver/bin/s3rver.js";
  if (node.empty()) {
    *error = "node not found on PATH: run scripts/install-deps.sh";
    return nullptr;
  }
  if (!std::filesystem::exists(script)) {
    *error = script + " not found: run scripts/install-deps.sh (npm ci in tests/peers)";
    return nullptr;
  }
  // setpriv --pdeathsig: s3rver dies with the test process even when that one crashes.
  const std::string setpriv = FindOnPath("setpriv");
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    std::unique_ptr<S3rver> server(new S3rver());
    server->port_ = UnusedLoopbackPort();
    server->dir_ = MakeTempDir("rivven-s3rver");
    if (server->port_ == 0 || server->dir_.empty()) {
      *error = "no free loopback port or temp directory for s3rver";
      return nullptr;
    }
    std::vector<std::string> argv;
    if (!setpriv.empty()) argv = {setpriv, "--pdeathsig", "KILL"};
    // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
    // legacy provider: without it every truncated listing answers 500.
    argv.insert(argv.end(),
                {node, "--openssl-legacy-provider", script, "-d", server->dir_ + "/data", "-a",
                 "127.0.0.1", "-p", std::to_string(server->port_)});
    for (const auto& b : buckets) argv.insert(argv.end(), {"--configure-bucket", b});
    ProcessOptions options;
    server->process_ = std::make_unique<BackgroundProcess>(
        argv, options, server->dir_ + "/stdout.log", server->dir_ + "/stderr.log");
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    // s3rver creates the configured buckets before it listens: accepting means ready.
    while (std::chrono::steady_clock::now() < deadline && server->process_->Running() &&
           !Accepts(server->port_)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (server->process_->Running() && Accepts(server->port_)) {
      error->clear();
      return server;
    }
    const std::string log = server->Log();
    *error = "s3rver did not start on port " + std::to_string(server->port_) + " within " +
             std::to_string(kStartTimeout.count()) + " s:\n" + log;
    if (log.find("EADDRINUSE") == std::string::npos) return nullptr;
  }
  return nullptr;
}

S3rver::~S3rver() {
  if (process_) {
    process_->Signal(SIGTERM);
    process_->Wait(std::chrono::seconds(5));  // SIGKILLs it after that
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string S3rver::Log() const {
  std::string log = ReadFile(dir_ + "/stderr.log");
  const std::string out = ReadFile(dir_ + "/stdout.log");
  if (!out.empty()) log += (log.empty() ? "" : "\n") + out;
  return log;
}

}  // namespace rivven::testing
