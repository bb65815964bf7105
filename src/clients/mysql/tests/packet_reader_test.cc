// PacketReader over a socketpair: framing, joined payloads, sequence numbers, timeouts, closes.
#include "clients/mysql/packet_reader.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace rivven::mysql {
namespace {

using namespace std::chrono_literals;

std::string Packet(std::string_view payload, uint8_t sequence) {
  std::string out;
  const size_t n = payload.size();
  out.push_back(static_cast<char>(n & 0xFF));
  out.push_back(static_cast<char>((n >> 8) & 0xFF));
  out.push_back(static_cast<char>((n >> 16) & 0xFF));
  out.push_back(static_cast<char>(sequence));
  out.append(payload);
  return out;
}

class PacketReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    if (writer_.joinable()) writer_.join();
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  // Writes `bytes` from another thread in pieces of `piece` bytes (all of it, however large).
  void WriteInPieces(std::string bytes, size_t piece) {
    writer_ = std::thread([this, bytes = std::move(bytes), piece] {
      for (size_t at = 0; at < bytes.size();) {
        const size_t n = std::min(piece, bytes.size() - at);
        const ssize_t w = ::write(fds_[1], bytes.data() + at, n);
        if (w <= 0) return;
        at += static_cast<size_t>(w);
        if (piece < 64) std::this_thread::sleep_for(1ms);
      }
    });
  }
  void CloseWriter() {
    if (writer_.joinable()) writer_.join();
    ::close(fds_[1]);
    fds_[1] = -1;
  }

  int fds_[2] = {-1, -1};
  std::thread writer_;
};

TEST_F(PacketReaderTest, ReadsPacketsSplitAnywhereAndKnowsWhenOneIsAtHand) {
  std::string bytes;
  for (int i = 0; i < 50; ++i) bytes += Packet(std::string(static_cast<size_t>(i * 7), 'a' + i % 26), static_cast<uint8_t>(1 + i));
  WriteInPieces(bytes, 5);  // headers and payloads torn across reads
  PacketReader reader(fds_[0], 1, 5s, "test peer", 64);  // smaller than some packets: it grows
  for (int i = 0; i < 50; ++i) {
    auto p = reader.Next();
    ASSERT_TRUE(p.ok()) << i << ": " << p.status().ToString();
    EXPECT_EQ(*p, std::string(static_cast<size_t>(i * 7), 'a' + i % 26)) << i;
  }
  EXPECT_FALSE(reader.HasWholePacket());

  // Two packets in one read: the second is at hand once the first was taken.
  const std::string two = Packet("first", 51) + Packet("second", 52);
  ASSERT_EQ(::write(fds_[1], two.data(), two.size()), static_cast<ssize_t>(two.size()));
  auto first = reader.Next();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, "first");
  EXPECT_TRUE(reader.HasWholePacket());
  auto second = reader.Next();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "second");
  EXPECT_FALSE(reader.HasWholePacket());
}

TEST_F(PacketReaderTest, JoinsAPayloadSentAsSeveralPackets) {
  // 0xFFFFFF bytes, then 0xFFFFFF more, then 10: one payload of 33554440 bytes. A payload of
  // exactly 0xFFFFFF bytes ends with an empty packet.
  const size_t full = 0xFFFFFF;
  std::string big(full * 2 + 10, 'x');
  for (size_t i = 0; i < big.size(); i += 4097) big[i] = static_cast<char>('a' + (i / 4097) % 26);
  std::string exact(full, 'y');
  std::string bytes = Packet(std::string_view(big).substr(0, full), 0) +
                      Packet(std::string_view(big).substr(full, full), 1) +
                      Packet(std::string_view(big).substr(2 * full), 2) + Packet(exact, 3) +
                      Packet("", 4) + Packet("after", 5);
  WriteInPieces(std::move(bytes), 1 << 20);
  PacketReader reader(fds_[0], 0, 10s, "test peer");
  auto p = reader.Next();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->size(), big.size());
  EXPECT_TRUE(*p == big);
  auto q = reader.Next();
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->size(), full);
  EXPECT_TRUE(*q == exact);
  auto after = reader.Next();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, "after");
}

TEST_F(PacketReaderTest, PrimedBytesComeFirst) {
  const std::string primed = Packet("one", 7) + Packet("tw", 8);
  const std::string rest = "o" + Packet("three", 9);  // the rest of "two", then "three"
  std::string torn = primed;
  torn[4 + 3 + 0] = 3;  // "two" announced with 3 bytes, one still on the socket
  PacketReader reader(fds_[0], 7, 5s, "test peer", 16);
  reader.Prime(torn);
  ASSERT_EQ(::write(fds_[1], rest.data(), rest.size()), static_cast<ssize_t>(rest.size()));
  for (const char* want : {"one", "two", "three"}) {
    auto p = reader.Next();
    ASSERT_TRUE(p.ok()) << want << ": " << p.status().ToString();
    EXPECT_EQ(*p, want);
  }
}

TEST_F(PacketReaderTest, ASequenceNumberOutOfOrderIsCorruption) {
  const std::string bytes = Packet("a", 1) + Packet("b", 3);
  ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  PacketReader reader(fds_[0], 1, 5s, "db@host:1");
  ASSERT_TRUE(reader.Next().ok());
  auto p = reader.Next();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(p.status().message(),
            "packet from db@host:1 out of order: sequence number 3 where 2 was next");
}

TEST_F(PacketReaderTest, SequenceNumbersWrapAround) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes += Packet("p", static_cast<uint8_t>(250 + i));
  WriteInPieces(bytes, 4096);
  PacketReader reader(fds_[0], 250, 5s, "test peer");
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(reader.Next().ok()) << i;
}

TEST_F(PacketReaderTest, ACloseMidPacketIsUnavailableNamingThePeer) {
  const std::string bytes = Packet("whole", 0) + Packet("torn payload", 1).substr(0, 8);
  ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  CloseWriter();
  PacketReader reader(fds_[0], 0, 5s, "db@host:1");
  ASSERT_TRUE(reader.Next().ok());
  auto p = reader.Next();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(p.status().retriable());
  EXPECT_EQ(p.status().message(), "the connection to db@host:1 was closed");
}

TEST_F(PacketReaderTest, SilenceLongerThanTheTimeoutIsUnavailable) {
  PacketReader reader(fds_[0], 0, 1s, "db@host:1");
  const auto start = std::chrono::steady_clock::now();
  auto p = reader.Next();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(p.status().message(), "nothing arrived from db@host:1 for 1 s (the read timeout)");
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
}

TEST_F(PacketReaderTest, ReadableSaysWhetherNextCanGoOnAndEndsOnTime) {
  PacketReader reader(fds_[0], 0, 1s, "db@host:1");
  // Nothing there: false after the wait.
  auto start = std::chrono::steady_clock::now();
  auto r = reader.Readable(100ms);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(*r);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
  // Bytes on the socket, even half a packet: true at once.
  const std::string p = Packet("hello", 0);
  ASSERT_EQ(::write(fds_[1], p.data(), 3), 3);
  r = reader.Readable(2000ms);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  ASSERT_EQ(::write(fds_[1], p.data() + 3, p.size() - 3), static_cast<ssize_t>(p.size() - 3));
  auto packet = reader.Next();
  ASSERT_TRUE(packet.ok()) << packet.status().ToString();
  EXPECT_EQ(*packet, "hello");
  // A whole packet already buffered: true without looking at the socket.
  const std::string two = Packet("a", 1) + Packet("b", 2);
  ASSERT_EQ(::write(fds_[1], two.data(), two.size()), static_cast<ssize_t>(two.size()));
  ASSERT_TRUE(reader.Next().ok());
  r = reader.Readable(0ms);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  ASSERT_TRUE(reader.Next().ok());
  // Silence for the whole timeout since the last bytes: kUnavailable naming the peer.
  Status silence;
  start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 5s) {
    auto w = reader.Readable(200ms);
    if (!w.ok()) {
      silence = w.status();
      break;
    }
    EXPECT_FALSE(*w);
  }
  EXPECT_EQ(silence.code(), StatusCode::kUnavailable) << silence.ToString();
  EXPECT_EQ(silence.message(), "nothing arrived from db@host:1 for 1 s (the read timeout)");
}

TEST_F(PacketReaderTest, ShuttingTheSocketDownEndsAWait) {
  PacketReader reader(fds_[0], 0, 0ms, "db@host:1");  // no timeout: waits until told
  std::thread stopper([this] {
    std::this_thread::sleep_for(100ms);
    ::shutdown(fds_[0], SHUT_RDWR);
  });
  auto p = reader.Next();
  stopper.join();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace rivven::mysql
