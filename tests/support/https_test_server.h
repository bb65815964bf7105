#pragma once

#include <httplib.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/test_ca.h"

// HttpTestServer (http_test_server.h) over TLS: a cpp-httplib SSLServer on a loopback port,
// listening on a thread of its own from construction to destruction. It serves the certificate
// and key it is given (by default a TestCa's localhost/127.0.0.1 certificate) and, given a client
// CA, asks for and verifies client certificates. Declare it after the state its handlers use.
namespace rivven::testing {

class HttpsTestServer {
 public:
  explicit HttpsTestServer(const TestCa& ca)
      : HttpsTestServer(ca.server_cert_path(), ca.server_key_path()) {}
  HttpsTestServer(const std::string& cert_path, const std::string& key_path,
                  const std::string& client_ca_path = "")
      : server_(cert_path.c_str(), key_path.c_str(),
                client_ca_path.empty() ? nullptr : client_ca_path.c_str()) {
    if (!server_.is_valid()) {
      throw std::runtime_error("HttpsTestServer: cannot load " + cert_path + " / " + key_path);
    }
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttpsTestServer() {
    server_.stop();
    thread_.join();
  }
  HttpsTestServer(const HttpsTestServer&) = delete;
  HttpsTestServer& operator=(const HttpsTestServer&) = delete;

  httplib::SSLServer& server() { return server_; }
  int port() const { return port_; }
  /// https://127.0.0.1:<port><path>; `UrlFor("localhost", path)` for another host name.
  std::string Url(const std::string& path) const { return UrlFor("127.0.0.1", path); }
  std::string UrlFor(const std::string& host, const std::string& path) const {
    return "https://" + host + ":" + std::to_string(port_) + path;
  }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace rivven::testing
