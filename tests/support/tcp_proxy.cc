#include "support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/loopback_socket.h"

namespace rivven::testing {

/// One accepted connection. `upstream` is -1 for a black-holed one. The fds are closed (and set
/// to -1) under `mu`, so CutAll never touches a descriptor number that was reused.
struct TcpProxy::Connection {
  std::mutex mu;
  int client = -1;
  int upstream = -1;
  bool cut = false;
};

namespace {

/// Closing with linger 0 sends RST: the peer sees "connection reset", as when a network drops.
void Reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  shutdown(fd, SHUT_RDWR);
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::unique_ptr<TcpProxy> TcpProxy::Start(int upstream_port, std::string* error) {
  std::unique_ptr<TcpProxy> proxy(new TcpProxy());
  proxy->upstream_port_ = upstream_port;
  proxy->listen_fd_ = ListenOnLoopback(128, &proxy->port_, error);
  if (proxy->listen_fd_ < 0) {
    *error = "tcp proxy: " + *error;
    return nullptr;
  }
  proxy->acceptor_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  CutAll();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  for (auto& c : connections_) {
    if (c->client >= 0) close(c->client);
    if (c->upstream >= 0) close(c->upstream);
  }
  if (listen_fd_ >= 0) close(listen_fd_);
}

int TcpProxy::CutAll() {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (auto& c : connections_) {
    std::lock_guard<std::mutex> cl(c->mu);
    if (c->cut || c->client < 0) continue;
    c->cut = true;
    ++n;
    Reset(c->client);
    Reset(c->upstream);
    if (c->upstream < 0) {  // black-holed: no thread of its own closes it
      close(c->client);
      c->client = -1;
    }
  }
  cut_ += n;
  return n;
}

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++accepted_;
    const Mode mode = mode_;
    if (mode == Mode::kRefuse) {
      Reset(client);
      close(client);
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->client = client;
    if (mode == Mode::kForward) {
      c->upstream = ConnectLoopback(upstream_port_);
      if (c->upstream < 0) {  // the server is down: the client sees a reset, as it would
        Reset(client);
        close(client);
        continue;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    Connection* raw = c.get();
    connections_.push_back(std::move(c));
    if (mode == Mode::kForward) threads_.emplace_back([this, raw] { Forward(raw); });
  }
}

void TcpProxy::Forward(Connection* c) {
  const int fds[2] = {c->client, c->upstream};
  char buffer[65536];
  bool open = true;
  while (open && !stop_) {
    pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (poll(p, 2, 200) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if (p[i].revents == 0) continue;
      const ssize_t n = recv(fds[i], buffer, sizeof buffer, 0);
      if (n <= 0) {
        open = n < 0 && errno == EINTR;
        continue;
      }
      if (const int64_t ms = latency_ms_; ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
      open = SendAll(fds[1 - i], buffer, static_cast<size_t>(n));
    }
  }
  std::lock_guard<std::mutex> cl(c->mu);
  Reset(c->client);  // one side ended: the other must see it end too
  Reset(c->upstream);
  close(c->client);
  close(c->upstream);
  c->client = -1;
  c->upstream = -1;
}

}  // namespace rivven::testing
