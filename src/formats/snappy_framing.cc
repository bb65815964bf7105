#include "formats/snappy_framing.h"

#include <snappy.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "base/reflected_crc32.h"

namespace rivven::formats {
namespace {

constexpr ReflectedCrc32 kCastagnoli(0x82F63B78U);

constexpr unsigned kCompressedData = 0x00;
constexpr unsigned kUncompressedData = 0x01;
constexpr unsigned kFirstSkippable = 0x80;
constexpr unsigned kPadding = 0xfe;
constexpr unsigned kStreamIdentifier = 0xff;

constexpr std::string_view kIdentifierBody = "sNaPpY";
constexpr std::string_view kStreamIdentifierChunk("\xff\x06\x00\x00sNaPpY", 10);
/// An empty padding chunk: how this writer marks the end of a member.
constexpr std::string_view kMemberEndChunk("\xfe\x00\x00\x00", 4);

constexpr size_t kHeaderBytes = 4;  // type, 24-bit little-endian length
constexpr size_t kCrcBytes = 4;
constexpr size_t kMaxChunkData = 65536;  // the spec's limit of decoded bytes per chunk

uint32_t MaskedCrc(std::string_view data) {
  const uint32_t crc = kCastagnoli.Extend(0, data.data(), data.size());
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8U;
}

void PutLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFU);
}

uint32_t GetLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string Hex(unsigned type) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", type);
  return buf;
}

class SnappyCompressor final : public Compressor {
 public:
  SnappyCompressor() { block_.reserve(kMaxChunkData); }

  Status Write(std::string_view in, std::string& out) override {
    if (in.empty()) return Status::Ok();
    if (!member_open_) {
      out.append(kStreamIdentifierChunk);
      member_open_ = true;
    }
    if (!block_.empty()) {
      const size_t n = std::min(in.size(), kMaxChunkData - block_.size());
      block_.append(in.substr(0, n));
      in.remove_prefix(n);
      if (block_.size() < kMaxChunkData) return Status::Ok();
      AppendChunk(block_, out);
      block_.clear();
    }
    // Whole chunks straight from the caller's bytes; only the rest is copied.
    while (in.size() >= kMaxChunkData) {
      AppendChunk(in.substr(0, kMaxChunkData), out);
      in.remove_prefix(kMaxChunkData);
    }
    block_.assign(in);
    return Status::Ok();
  }

  Status EndMember(std::string& out) override {
    if (!member_open_) return Status::Ok();
    if (!block_.empty()) {
      AppendChunk(block_, out);
      block_.clear();
    }
    out.append(kMemberEndChunk);
    member_open_ = false;
    return Status::Ok();
  }

 private:
  static void AppendChunk(std::string_view data, std::string& out) {
    const size_t start = out.size();
    out.resize(start + kHeaderBytes + kCrcBytes + snappy::MaxCompressedLength(data.size()));
    char* header = out.data() + start;
    char* body = header + kHeaderBytes + kCrcBytes;
    size_t body_size = 0;
    snappy::RawCompress(data.data(), data.size(), body, &body_size);
    unsigned type = kCompressedData;
    if (body_size >= data.size()) {
      std::memcpy(body, data.data(), data.size());
      body_size = data.size();
      type = kUncompressedData;
    }
    out.resize(start + kHeaderBytes + kCrcBytes + body_size);
    PutLe32(header, static_cast<uint32_t>((kCrcBytes + body_size) << 8 | type));
    PutLe32(header + kHeaderBytes, MaskedCrc(data));
  }

  std::string block_;  ///< input of the chunk being filled, < 64 KiB
};

class SnappyDecompressor final : public Decompressor {
 public:
  SnappyDecompressor() { scratch_.resize(kMaxChunkData); }

  Status Feed(std::string_view in, std::string* out) override {
    if (!failed_.ok()) return failed_;
    fed_ += in.size();
    while (!in.empty()) {
      if (header_have_ < kHeaderBytes) {
        const size_t n = std::min(kHeaderBytes - header_have_, in.size());
        std::memcpy(header_ + header_have_, in.data(), n);
        header_have_ += n;
        in.remove_prefix(n);
        if (header_have_ < kHeaderBytes) break;
        RC_RETURN_IF_ERROR(StartChunk());
        if (body_length_ == 0) RC_RETURN_IF_ERROR(EndChunk({}, out));
      } else if (skipping_) {
        const size_t n = std::min(body_length_ - skipped_, in.size());
        skipped_ += n;
        in.remove_prefix(n);
        if (skipped_ == body_length_) RC_RETURN_IF_ERROR(EndChunk({}, out));
      } else if (body_.empty() && in.size() >= body_length_) {
        // The whole body is in this piece: decode it in place.
        const std::string_view body = in.substr(0, body_length_);
        in.remove_prefix(body_length_);
        RC_RETURN_IF_ERROR(EndChunk(body, out));
      } else {
        const size_t n = std::min(body_length_ - body_.size(), in.size());
        body_.append(in.substr(0, n));
        in.remove_prefix(n);
        if (body_.size() == body_length_) {
          RC_RETURN_IF_ERROR(EndChunk(body_, out));
          body_.clear();
        }
      }
    }
    return Status::Ok();
  }

  bool at_stream_end() const override { return failed_.ok() && header_have_ == 0; }

 private:
  /// The header is complete: checks its type and length before any of the body is buffered.
  Status StartChunk() {
    type_ = static_cast<unsigned char>(header_[0]);
    body_length_ = GetLe32(header_) >> 8;
    skipping_ = false;
    skipped_ = 0;
    if (!seen_identifier_ && type_ != kStreamIdentifier) {
      return Fail("not a snappy framing stream (it does not start with a stream identifier)");
    }
    if (type_ == kStreamIdentifier) {
      if (body_length_ != kIdentifierBody.size()) return Fail("bad stream identifier chunk");
    } else if (type_ == kCompressedData || type_ == kUncompressedData) {
      const size_t limit =
          kCrcBytes +
          (type_ == kCompressedData ? snappy::MaxCompressedLength(kMaxChunkData) : kMaxChunkData);
      if (body_length_ < kCrcBytes) return Fail("data chunk too short for its checksum");
      if (body_length_ > limit) {
        return Fail("chunk too large (" + std::to_string(body_length_) + " bytes, at most " +
                    std::to_string(limit) + ")");
      }
    } else if (type_ < kFirstSkippable) {
      return Fail("reserved unskippable chunk type " + Hex(type_));
    } else {
      skipping_ = true;  // padding and reserved skippable chunks: not even buffered
    }
    return Status::Ok();
  }

  /// The chunk's body is complete (empty for skipped chunks).
  Status EndChunk(std::string_view body, std::string* out) {
    const uint64_t end = chunk_start_ + kHeaderBytes + body_length_;
    if (type_ == kStreamIdentifier) {
      if (body != kIdentifierBody) return Fail("bad stream identifier chunk");
      // A repeated identifier starts a concatenated stream: what came before is whole.
      if (seen_identifier_) MemberEnded(chunk_start_, produced_);
      seen_identifier_ = true;
    } else if (type_ == kPadding) {
      MemberEnded(end, produced_);
    } else if (type_ == kCompressedData || type_ == kUncompressedData) {
      RC_RETURN_IF_ERROR(DecodeData(body, out));
    }
    chunk_start_ = end;
    header_have_ = 0;
    return Status::Ok();
  }

  Status DecodeData(std::string_view body, std::string* out) {
    const uint32_t expected_crc = GetLe32(body.data());
    const std::string_view data = body.substr(kCrcBytes);
    std::string_view decoded = data;
    if (type_ == kCompressedData) {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(data.data(), data.size(), &n)) {
        return Fail("corrupt compressed data");
      }
      if (n > kMaxChunkData) {
        return Fail("chunk too large (" + std::to_string(n) + " decoded bytes, at most " +
                    std::to_string(kMaxChunkData) + ")");
      }
      if (!snappy::RawUncompress(data.data(), data.size(), scratch_.data())) {
        return Fail("corrupt compressed data");
      }
      decoded = std::string_view(scratch_.data(), n);
    }
    if (MaskedCrc(decoded) != expected_crc) return Fail("CRC-32C mismatch");
    if (out != nullptr) out->append(decoded);
    TrackOutput(decoded);
    produced_ += decoded.size();
    return Status::Ok();
  }

  Status Fail(const std::string& why) {
    failed_ = Status::Corruption("snappy: " + why + " in the chunk at input byte " +
                                 std::to_string(chunk_start_));
    return failed_;
  }

  char header_[kHeaderBytes] = {};
  size_t header_have_ = 0;  ///< header bytes of the current chunk; 0 between chunks
  unsigned type_ = 0;
  size_t body_length_ = 0;
  bool skipping_ = false;
  size_t skipped_ = 0;
  std::string body_;  ///< a body split across Feed calls
  std::string scratch_;
  bool seen_identifier_ = false;
  uint64_t chunk_start_ = 0;  ///< input offset of the current (or next) chunk
  uint64_t produced_ = 0;
  Status failed_;
};

}  // namespace

std::unique_ptr<Compressor> MakeSnappyCompressor() { return std::make_unique<SnappyCompressor>(); }

std::unique_ptr<Decompressor> MakeSnappyDecompressor() {
  return std::make_unique<SnappyDecompressor>();
}

}  // namespace rivven::formats
