#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::mysql {

/// Reads MySQL client/server protocol packets (3-byte little-endian length, 1-byte sequence
/// number, payload) from a plain socket through one large buffer: a recv takes whatever the
/// kernel holds, up to the buffer's size, where libmariadb reads 16 kB at a time and copies
/// each packet once more. Payloads of 16 MB and over, sent as a run of 0xFFFFFF-byte packets
/// and a shorter last one, come back joined. Sequence numbers are checked.
///
/// For connections without TLS or compression only (the bytes must be the packets
/// themselves). Owner: one thread; the socket may be shut down from another to end a wait.
class PacketReader {
 public:
  /// `first_sequence`: the sequence number of the next packet. `timeout`: how long a read may
  /// wait for bytes before failing (0: forever). `where` names the peer in errors.
  PacketReader(int fd, uint8_t first_sequence, std::chrono::milliseconds timeout,
               std::string where, size_t buffer_bytes = kDefaultBufferBytes);
  PacketReader(const PacketReader&) = delete;
  PacketReader& operator=(const PacketReader&) = delete;

  /// Bytes another reader already took off the socket (libmariadb's read-ahead), read first.
  void Prime(std::string_view bytes);

  /// The next payload; valid until the next call. Blocks until it has arrived. Errors:
  /// kUnavailable when the peer closed or reset the connection or nothing arrived within the
  /// timeout, kCorruption for a sequence number out of order.
  Result<std::string_view> Next();

  /// Whether Next() would return without reading the socket.
  bool HasWholePacket() const;

  /// Waits up to `wait` for Next() to have something to work on: a whole packet buffered, or
  /// bytes (or a close) on the socket. False when nothing came; kUnavailable once nothing at all
  /// has arrived for the timeout.
  Result<bool> Readable(std::chrono::milliseconds wait);

  static constexpr size_t kDefaultBufferBytes = 256u << 10;

 private:
  /// Reads more bytes at the end of the buffer, making room for `need` bytes from `begin_`.
  Status Fill(size_t need);
  Status WaitReadable();
  Status SilenceError() const;

  int fd_;
  uint8_t sequence_;
  std::chrono::milliseconds timeout_;
  std::string where_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  size_t begin_ = 0;  ///< the first byte not yet returned
  size_t end_ = 0;    ///< one past the last byte received
  std::string joined_;  ///< a payload of several packets
  std::chrono::steady_clock::time_point last_data_;  ///< when bytes last arrived
};

}  // namespace rivven::mysql
