#include "clients/mysql/packet_reader.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rivven::mysql {
namespace {

constexpr size_t kHeaderBytes = 4;
constexpr size_t kMaxPacketPayload = 0xFFFFFF;  // a payload this long continues in the next packet

size_t PayloadLength(const char* header) {
  const auto* p = reinterpret_cast<const unsigned char*>(header);
  return size_t{p[0]} | size_t{p[1]} << 8 | size_t{p[2]} << 16;
}

}  // namespace

PacketReader::PacketReader(int fd, uint8_t first_sequence, std::chrono::milliseconds timeout,
                           std::string where, size_t buffer_bytes)
    : fd_(fd),
      sequence_(first_sequence),
      timeout_(timeout),
      where_(std::move(where)),
      buffer_(new char[buffer_bytes]),
      capacity_(buffer_bytes),
      last_data_(std::chrono::steady_clock::now()) {}

void PacketReader::Prime(std::string_view bytes) {
  if (bytes.empty()) return;
  if (end_ - begin_ + bytes.size() > capacity_ || begin_ > 0) {
    const size_t held = end_ - begin_;
    const size_t capacity = std::max(capacity_, held + bytes.size());
    std::unique_ptr<char[]> grown(new char[capacity]);
    std::memcpy(grown.get(), buffer_.get() + begin_, held);
    buffer_ = std::move(grown);
    capacity_ = capacity;
    begin_ = 0;
    end_ = held;
  }
  std::memcpy(buffer_.get() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

bool PacketReader::HasWholePacket() const {
  const size_t held = end_ - begin_;
  if (held < kHeaderBytes) return false;
  const size_t length = PayloadLength(buffer_.get() + begin_);
  return length < kMaxPacketPayload && held >= kHeaderBytes + length;
}

Result<std::string_view> PacketReader::Next() {
  bool joining = false;
  joined_.clear();
  while (true) {
    if (end_ - begin_ < kHeaderBytes) {
      RC_RETURN_IF_ERROR(Fill(kHeaderBytes));
      continue;
    }
    const char* header = buffer_.get() + begin_;
    const size_t length = PayloadLength(header);
    if (end_ - begin_ < kHeaderBytes + length) {
      RC_RETURN_IF_ERROR(Fill(kHeaderBytes + length));
      continue;
    }
    const auto sequence = static_cast<uint8_t>(header[3]);
    if (sequence != sequence_) {
      return Status::Corruption("packet from " + where_ + " out of order: sequence number " +
                                std::to_string(sequence) + " where " +
                                std::to_string(sequence_) + " was next");
    }
    ++sequence_;
    const std::string_view payload(header + kHeaderBytes, length);
    begin_ += kHeaderBytes + length;
    if (length == kMaxPacketPayload) {
      joined_.append(payload);
      joining = true;
      continue;
    }
    if (!joining) return payload;
    joined_.append(payload);
    return std::string_view(joined_);
  }
}

Status PacketReader::Fill(size_t need) {
  // Make room for `need` bytes from begin_: move what is held to the front, or grow.
  if (begin_ + need > capacity_) {
    const size_t held = end_ - begin_;
    if (need > capacity_) {
      std::unique_ptr<char[]> grown(new char[need]);
      std::memcpy(grown.get(), buffer_.get() + begin_, held);
      buffer_ = std::move(grown);
      capacity_ = need;
    } else {
      std::memmove(buffer_.get(), buffer_.get() + begin_, held);
    }
    begin_ = 0;
    end_ = held;
  }
  while (true) {
    const ssize_t n = ::recv(fd_, buffer_.get() + end_, capacity_ - end_, MSG_DONTWAIT);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      last_data_ = std::chrono::steady_clock::now();
      return Status::Ok();
    }
    if (n == 0) return Status::Unavailable("the connection to " + where_ + " was closed");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Status::Unavailable("reading from " + where_ + ": " + std::strerror(errno));
    }
    RC_RETURN_IF_ERROR(WaitReadable());
  }
}

Result<bool> PacketReader::Readable(std::chrono::milliseconds wait) {
  if (HasWholePacket()) return true;
  pollfd p{};
  p.fd = fd_;
  p.events = POLLIN;
  const int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(wait.count(), 0)));
  if (r > 0) return true;  // bytes, a close or an error: Next() tells which
  if (r < 0 && errno != EINTR) {
    return Status::Unavailable("waiting for " + where_ + ": " + std::strerror(errno));
  }
  if (timeout_.count() > 0 && std::chrono::steady_clock::now() - last_data_ >= timeout_) {
    return SilenceError();
  }
  return false;
}

Status PacketReader::SilenceError() const {
  return Status::Unavailable("nothing arrived from " + where_ + " for " +
                             std::to_string(timeout_.count() / 1000) + " s (the read timeout)");
}

Status PacketReader::WaitReadable() {
  pollfd p{};
  p.fd = fd_;
  p.events = POLLIN;
  const int timeout_ms = timeout_.count() > 0 ? static_cast<int>(timeout_.count()) : -1;
  while (true) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return Status::Ok();  // readable, closed or failed: recv tells which
    if (r == 0) return SilenceError();
    if (errno != EINTR) return Status::Unavailable("waiting for " + where_ + ": " + std::strerror(errno));
  }
}

}  // namespace rivven::mysql
