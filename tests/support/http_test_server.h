#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

// A cpp-httplib server on a loopback port, listening on a thread of its own from construction to
// destruction, for tests of HTTP clients and connectors. Declare it after the state its handlers
// use: it stops (and its handlers finish) before that state goes away. Keep-alive connections
// are not closed after cpp-httplib's default of 5 requests, and responses go out without Nagle's
// delay.
namespace rivven::testing {

class HttpTestServer {
 public:
  HttpTestServer() {
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttpTestServer() {
    server_.stop();
    thread_.join();
  }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  httplib::Server& server() { return server_; }
  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace rivven::testing
