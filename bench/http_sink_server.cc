// A minimal HTTP endpoint for the webhook benchmark: answers every POST with 204 and counts
// requests and body bytes. Usage: http_sink_server PORT; prints "listening" when ready; GET
// /stats returns "<requests> <bytes>". Runs until killed.
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  std::atomic<uint64_t> requests{0}, bytes{0};
  httplib::Server server;
  server.set_keep_alive_max_count(100000000);
  server.set_tcp_nodelay(true);
  server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    requests++;
    bytes += req.body.size();
    res.status = 204;
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::to_string(requests.load()) + " " + std::to_string(bytes.load()),
                    "text/plain");
  });
  if (!server.bind_to_port("127.0.0.1", std::stoi(argv[1]))) {
    std::fprintf(stderr, "cannot listen on port %s\n", argv[1]);
    return 1;
  }
  std::printf("listening\n");
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
