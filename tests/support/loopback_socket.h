#pragma once

#include <string>

// Sockets on 127.0.0.1 for test servers and proxies.
namespace rivven::testing {

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks (close-on-exec); its port goes
/// to `*port`. -1 and `*error` (naming the reason) when it cannot listen.
int ListenOnLoopback(int backlog, int* port, std::string* error);

}  // namespace rivven::testing
