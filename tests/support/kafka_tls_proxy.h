#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A TLS front for one plaintext Kafka broker (librdkafka's mock cluster cannot listen with TLS):
// it terminates TLS on a loopback port with the certificate it is given and relays the Kafka
// protocol to the broker. The broker advertises its own plaintext port in Metadata and
// FindCoordinator (v0-v3) responses; the proxy rewrites that port to its own, so a client that
// bootstraps through the proxy stays on TLS for every connection.
namespace rivven::testing {

/// Owned by one test; its accessors may be called from any thread. One thread accepts and one
/// more serves each connection; all are joined on destruction, which closes every connection.
class KafkaTlsProxy {
 public:
  /// Null with `*error` set when the certificate cannot be loaded or no port can be opened.
  static std::unique_ptr<KafkaTlsProxy> Start(int broker_port, const std::string& cert_path,
                                              const std::string& key_path, std::string* error);
  ~KafkaTlsProxy();
  KafkaTlsProxy(const KafkaTlsProxy&) = delete;
  KafkaTlsProxy& operator=(const KafkaTlsProxy&) = delete;

  int port() const { return port_; }
  /// Completed TLS handshakes, and handshakes the client broke off (e.g. it refused the
  /// certificate).
  int handshakes() const { return handshakes_; }
  int failed_handshakes() const { return failed_handshakes_; }
  /// Kafka requests relayed to the broker, and broker addresses rewritten in responses.
  int requests() const { return requests_; }
  int rewritten_addresses() const { return rewritten_; }
  /// The API keys of the requests relayed so far (3 Metadata, 0 Produce, ...), in order.
  std::vector<int> api_keys() const;

 private:
  KafkaTlsProxy() = default;
  void AcceptLoop();
  void Serve(int client_fd);
  void NoteRequest(int api_key);

  void* ctx_ = nullptr;  // SSL_CTX*
  int listen_fd_ = -1;
  int port_ = 0;
  int broker_port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0}, failed_handshakes_{0}, requests_{0}, rewritten_{0};
  mutable std::mutex mu_;
  std::vector<int> api_keys_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace rivven::testing
