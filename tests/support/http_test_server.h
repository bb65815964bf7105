#pragma once

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

// A cpp-httplib server on a loopback port, for tests of HTTP clients and connectors. It binds on
// construction and serves on a thread of its own from the first port() or Url() (after the test
// registered its handlers) to destruction. Declare it after the state its handlers use: it stops
// (and its handlers finish) before that state goes away. Keep-alive connections
// are not closed after cpp-httplib's default of 5 requests, and responses go out without Nagle's
// delay.
namespace rivven::testing {

class HttpTestServer {
 public:
  HttpTestServer() {
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
  }
  ~HttpTestServer() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  httplib::Server& server() { return server_; }
  int port() const {
    Serve();
    return port_;
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }

 private:
  // The serving thread starts once a client can know the port, so it is created after the
  // handlers were registered and sees them. Registering on a running server is ordered before
  // the request only by the socket, which ThreadSanitizer cannot see (it reported every handler
  // read as a race). A connection made before is queued by the bound socket.
  void Serve() const {
    std::call_once(serving_, [this] {
      thread_ = std::thread([this] { server_.listen_after_bind(); });
      while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }

  mutable httplib::Server server_;  // mutable: Serve() starts it from the const accessors
  int port_ = 0;
  mutable std::once_flag serving_;
  mutable std::thread thread_;
};

}  // namespace rivven::testing
