#include "support/kafka_tls_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <utility>

#include "support/loopback_socket.h"

namespace rivven::testing {
namespace {

constexpr int kMetadata = 3;
constexpr int kFindCoordinator = 10;

SSL_CTX* Ctx(void* p) { return static_cast<SSL_CTX*>(p); }

std::string OpensslError() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  return buf;
}

int32_t GetInt32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return static_cast<int32_t>(v);
}
int16_t GetInt16(const std::string& b, size_t at) {
  return static_cast<int16_t>((static_cast<uint8_t>(b[at]) << 8) | static_cast<uint8_t>(b[at + 1]));
}
void PutInt32(std::string& b, size_t at, int32_t value) {
  const auto v = static_cast<uint32_t>(value);
  for (size_t i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

/// Walks a Kafka response frame (without its size prefix); every read is bounds-checked, and a
/// frame that does not parse is passed on as it is.
class Cursor {
 public:
  Cursor(const std::string& b, size_t at) : b_(b), at_(at) {}
  bool ok() const { return ok_; }
  size_t at() const { return at_; }
  void Skip(size_t n) {
    if (!ok_ || at_ + n > b_.size()) {
      ok_ = false;
      return;
    }
    at_ += n;
  }
  int32_t Int32() {
    if (!Need(4)) return 0;
    const int32_t v = GetInt32(b_, at_);
    at_ += 4;
    return v;
  }
  int16_t Int16() {
    if (!Need(2)) return 0;
    const int16_t v = GetInt16(b_, at_);
    at_ += 2;
    return v;
  }
  uint64_t UVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      const auto byte = static_cast<uint8_t>(b_[at_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  /// A (nullable) STRING, or COMPACT_STRING in flexible versions.
  void SkipString(bool flexible) {
    if (flexible) {
      const uint64_t n = UVarint();
      if (n > 0) Skip(n - 1);
    } else {
      const int16_t n = Int16();
      if (n > 0) Skip(static_cast<size_t>(n));
    }
  }
  void SkipTaggedFields() {
    const uint64_t n = UVarint();
    for (uint64_t i = 0; i < n && ok_; ++i) {
      UVarint();
      Skip(UVarint());
    }
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || at_ + n > b_.size()) ok_ = false;
    return ok_;
  }
  const std::string& b_;
  size_t at_;
  bool ok_ = true;
};

/// Rewrites the broker port `from` to `to` in a Metadata or FindCoordinator (v0-v3) response
/// `frame` (correlation id first). Returns how many addresses it changed.
int RewriteBrokerPorts(std::string& frame, int api_key, int version, int from, int to) {
  const auto rewrite_port_at = [&](Cursor& c) {
    const size_t at = c.at();
    if (c.Int32() != from || !c.ok()) return 0;
    PutInt32(frame, at, to);
    return 1;
  };
  int changed = 0;
  if (api_key == kMetadata) {
    const bool flexible = version >= 9;
    Cursor c(frame, 4);
    if (flexible) c.SkipTaggedFields();
    if (version >= 3) c.Skip(4);  // throttle_time_ms
    const int64_t brokers =
        flexible ? static_cast<int64_t>(c.UVarint()) - 1 : static_cast<int64_t>(c.Int32());
    for (int64_t i = 0; i < brokers && c.ok(); ++i) {
      c.Skip(4);  // node_id
      c.SkipString(flexible);
      changed += rewrite_port_at(c);
      if (version >= 1) c.SkipString(flexible);  // rack
      if (flexible) c.SkipTaggedFields();
    }
  } else if (api_key == kFindCoordinator && version <= 3) {
    const bool flexible = version >= 3;
    Cursor c(frame, 4);
    if (flexible) c.SkipTaggedFields();
    if (version >= 1) c.Skip(4);               // throttle_time_ms
    c.Skip(2);                                 // error_code
    if (version >= 1) c.SkipString(flexible);  // error_message
    c.Skip(4);                                 // node_id
    c.SkipString(flexible);
    changed += rewrite_port_at(c);
  }
  return changed;
}

/// Takes the complete size-prefixed frames off the front of `buffer` (prefix included).
std::vector<std::string> TakeFrames(std::string& buffer) {
  std::vector<std::string> frames;
  size_t at = 0;
  while (buffer.size() - at >= 4) {
    const int32_t size = GetInt32(buffer, at);
    if (size < 0 || buffer.size() - at - 4 < static_cast<size_t>(size)) break;
    frames.push_back(buffer.substr(at, 4 + static_cast<size_t>(size)));
    at += 4 + static_cast<size_t>(size);
  }
  buffer.erase(0, at);
  return frames;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

std::unique_ptr<KafkaTlsProxy> KafkaTlsProxy::Start(int broker_port, const std::string& cert_path,
                                                    const std::string& key_path,
                                                    std::string* error) {
  // SSL_write to a client that went away must fail, not kill the test process.
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<KafkaTlsProxy> proxy(new KafkaTlsProxy());
  proxy->broker_port_ = broker_port;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  proxy->ctx_ = ctx;
  if (ctx == nullptr || SSL_CTX_use_certificate_chain_file(ctx, cert_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    *error = "KafkaTlsProxy: cannot load " + cert_path + " / " + key_path + ": " + OpensslError();
    return nullptr;
  }
  proxy->listen_fd_ = ListenOnLoopback(64, &proxy->port_, error);
  if (proxy->listen_fd_ < 0) {
    *error = "KafkaTlsProxy: " + *error;
    return nullptr;
  }
  proxy->acceptor_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

KafkaTlsProxy::~KafkaTlsProxy() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  for (std::thread& t : threads_) t.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  SSL_CTX_free(Ctx(ctx_));
}

std::vector<int> KafkaTlsProxy::api_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return api_keys_;
}

void KafkaTlsProxy::NoteRequest(int api_key) {
  requests_++;
  std::lock_guard<std::mutex> lock(mu_);
  api_keys_.push_back(api_key);
}

void KafkaTlsProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void KafkaTlsProxy::Serve(int client_fd) {
  const timeval handshake_timeout{10, 0};
  setsockopt(client_fd, SOL_SOCKET, SO_RCVTIMEO, &handshake_timeout, sizeof handshake_timeout);
  SSL* ssl = SSL_new(Ctx(ctx_));
  SSL_set_fd(ssl, client_fd);
  int broker_fd = -1;
  if (SSL_accept(ssl) != 1) {
    failed_handshakes_++;
  } else {
    handshakes_++;
    broker_fd = ConnectLoopback(broker_port_);
  }
  std::map<int32_t, std::pair<int, int>> pending;  // correlation id -> (api key, version)
  std::string from_client, from_broker;
  char buf[16384];
  while (broker_fd >= 0 && !stop_) {
    pollfd fds[2] = {{client_fd, POLLIN, 0}, {broker_fd, POLLIN, 0}};
    if (SSL_pending(ssl) == 0 && poll(fds, 2, 100) <= 0) continue;
    if (SSL_pending(ssl) > 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) break;
      from_client.append(buf, static_cast<size_t>(n));
      for (const std::string& frame : TakeFrames(from_client)) {
        if (frame.size() >= 12) {
          const int api_key = GetInt16(frame, 4);
          pending[GetInt32(frame, 8)] = {api_key, GetInt16(frame, 6)};
          NoteRequest(api_key);
        }
        if (!SendAll(broker_fd, frame)) break;
      }
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = recv(broker_fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      from_broker.append(buf, static_cast<size_t>(n));
      for (std::string& frame : TakeFrames(from_broker)) {
        std::string body = frame.substr(4);
        if (body.size() >= 4) {
          const auto it = pending.find(GetInt32(body, 0));
          if (it != pending.end()) {
            rewritten_ +=
                RewriteBrokerPorts(body, it->second.first, it->second.second, broker_port_, port_);
            pending.erase(it);
          }
        }
        const std::string out = frame.substr(0, 4) + body;
        if (SSL_write(ssl, out.data(), static_cast<int>(out.size())) <= 0) break;
      }
    }
  }
  if (broker_fd >= 0) close(broker_fd);
  SSL_shutdown(ssl);
  SSL_free(ssl);
  close(client_fd);
}

}  // namespace rivven::testing
