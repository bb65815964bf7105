#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A loopback TCP forwarder between a client under test and a server, that the test controls: cut
// every open connection at once, refuse or black-hole new ones for a while, delay what passes.
// Chaos tests point rivven-connect at the proxy's port instead of the server's.
namespace rivven::testing {

/// Listens on a free 127.0.0.1 port and forwards each accepted connection to
/// 127.0.0.1:upstream_port. Owned by one test; its methods may be called from any thread. One
/// thread accepts, one more per connection forwards both directions; all are joined on
/// destruction, which also closes every connection.
class TcpProxy {
 public:
  enum class Mode {
    kForward,    ///< new connections are forwarded
    kRefuse,     ///< new connections are accepted and reset at once (connection refused/reset)
    kBlackHole,  ///< new connections are accepted and never answered (until CutAll)
  };

  /// Null with `*error` set when the listener cannot be opened.
  static std::unique_ptr<TcpProxy> Start(int upstream_port, std::string* error);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  /// "127.0.0.1:<port>"
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  /// How connections accepted from now on are treated; open ones are not affected.
  void SetMode(Mode mode) { mode_ = mode; }
  /// Each chunk of bytes is held this long before it is passed on (0: none).
  void SetLatency(std::chrono::milliseconds latency) { latency_ms_ = latency.count(); }
  /// Resets every open connection (forwarded and black-holed) now; returns how many.
  int CutAll();

  /// Connections accepted so far (whatever the mode) and connections reset by CutAll.
  int accepted() const { return accepted_; }
  int cut() const { return cut_; }

 private:
  struct Connection;
  TcpProxy() = default;
  void AcceptLoop();
  void Forward(Connection* c);

  int listen_fd_ = -1;
  int port_ = 0;
  int upstream_port_ = 0;
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<int64_t> latency_ms_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, cut_{0};
  std::thread acceptor_;
  std::mutex mu_;  // guards connections_ and threads_
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
};

}  // namespace rivven::testing
