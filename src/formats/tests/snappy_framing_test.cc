#include "formats/snappy_framing.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/compression.h"

namespace rivven::formats {
namespace {

std::string Text(size_t bytes) {
  std::string s;
  for (size_t i = 0; s.size() < bytes; ++i) {
    s += "{\"order_id\":" + std::to_string(i) + ",\"product\":\"widget-" + std::to_string(i % 17) +
         "\"}\n";
  }
  s.resize(bytes);
  return s;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Unhex(std::string_view hex) {
  std::string s;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    s.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return s;
}

struct Chunk {
  unsigned type;
  size_t offset;  ///< of its header
  size_t length;  ///< of its body
};

/// An independent walk over the chunk headers, to check the layout the compressor chose.
std::vector<Chunk> Chunks(std::string_view s) {
  std::vector<Chunk> chunks;
  for (size_t at = 0; at + 4 <= s.size();) {
    const auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(s[i])); };
    const size_t length = b(at + 1) | b(at + 2) << 8 | b(at + 3) << 16;
    chunks.push_back({static_cast<unsigned>(b(at)), at, length});
    at += 4 + length;
  }
  return chunks;
}

std::string MakeChunk(unsigned type, std::string_view body) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(type);
  s[1] = static_cast<char>(body.size() & 0xFF);
  s[2] = static_cast<char>((body.size() >> 8) & 0xFF);
  s[3] = static_cast<char>((body.size() >> 16) & 0xFF);
  return s + std::string(body);
}

const std::string kIdentifier("\xff\x06\x00\x00sNaPpY", 10);
const std::string kMemberEnd("\xfe\x00\x00\x00", 4);

std::string Packed(std::string_view text) { return *Compress(Compression::kSnappy, text); }

/// Feeds `data` in pieces of `piece` bytes; returns the first error.
Status FeedInPieces(Decompressor& d, std::string_view data, size_t piece, std::string* out) {
  for (size_t i = 0; i < data.size(); i += piece) {
    RC_RETURN_IF_ERROR(d.Feed(data.substr(i, piece), out));
  }
  return Status::Ok();
}

TEST(SnappyFramingTest, RoundTripsAtChunkSizes) {
  for (const size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{65535}, size_t{65536},
                            size_t{65537}, size_t{3 * 65536}, size_t{5 << 20}}) {
    const std::string text = Text(size);
    const std::string packed = Packed(text);
    auto unpacked = Decompress(Compression::kSnappy, packed);
    ASSERT_TRUE(unpacked.ok()) << size << ": " << unpacked.status().ToString();
    EXPECT_EQ(*unpacked, text) << size;
    if (size == 0) {
      EXPECT_EQ(packed, "");
      continue;
    }
    // Identifier, ceil(size / 64 KiB) data chunks, the member-end marker.
    const std::vector<Chunk> chunks = Chunks(packed);
    ASSERT_EQ(chunks.size(), 2 + (size + 65535) / 65536) << size;
    EXPECT_EQ(packed.substr(0, 10), kIdentifier);
    EXPECT_EQ(packed.substr(packed.size() - 4), kMemberEnd);
    if (size < 1000) continue;  // short text may not shrink: an uncompressed chunk
    EXPECT_EQ(chunks[1].type, 0x00u) << size;
    // The single byte after 64 KiB cannot shrink.
    EXPECT_EQ(chunks[chunks.size() - 2].type, size == 65537 ? 0x01u : 0x00u) << size;
  }
  EXPECT_LT(Packed(Text(1 << 20)).size(), (1u << 20) / 3);
}

TEST(SnappyFramingTest, IncompressibleChunksAreStoredUncompressed) {
  const std::string noise = RandomBytes(150'000, 7);
  const std::string text = Text(70'000);
  auto z = Compressor::Create(Compression::kSnappy);
  ASSERT_TRUE(z.ok());
  std::string packed;
  ASSERT_TRUE((*z)->Write(noise, packed).ok());
  ASSERT_TRUE((*z)->Write(text, packed).ok());
  ASSERT_TRUE((*z)->EndMember(packed).ok());
  // 220,000 bytes: chunks of noise, noise, noise + text, text, text's rest.
  const std::vector<Chunk> chunks = Chunks(packed);
  ASSERT_EQ(chunks.size(), 2u + 4u);
  EXPECT_EQ(chunks[1].type, 0x01u);
  EXPECT_EQ(chunks[1].length, 4u + 65536u);
  EXPECT_EQ(chunks[2].type, 0x01u);
  EXPECT_EQ(chunks[3].type, 0x00u);  // 18 KiB of noise, 46 KiB of text: it shrinks
  EXPECT_EQ(chunks[4].type, 0x00u);
  auto unpacked = Decompress(Compression::kSnappy, packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(*unpacked, noise + text);
}

TEST(SnappyFramingTest, WritesInAnyPieceSizesGiveTheSameStream) {
  const std::string text = Text(300'000);
  const std::string whole = Packed(text);
  for (const size_t piece : {size_t{1}, size_t{999}, size_t{65536}, size_t{70'000}}) {
    auto z = Compressor::Create(Compression::kSnappy);
    ASSERT_TRUE(z.ok());
    std::string packed;
    for (size_t i = 0; i < text.size(); i += piece) {
      ASSERT_TRUE((*z)->Write(std::string_view(text).substr(i, piece), packed).ok());
    }
    ASSERT_TRUE((*z)->EndMember(packed).ok());
    EXPECT_EQ(packed, whole) << piece;
  }
}

TEST(SnappyFramingTest, DecodesWhateverPiecesItIsFed) {
  const std::string small = Packed("a small stream\n");
  for (const size_t piece : {size_t{1}, size_t{2}, size_t{5}}) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    std::string out;
    ASSERT_TRUE(FeedInPieces(**d, small, piece, &out).ok());
    EXPECT_EQ(out, "a small stream\n");
    EXPECT_TRUE((*d)->at_member_boundary());
  }
  const std::string text = Text(400'000) + RandomBytes(100'000, 3);
  const std::string packed = Packed(text);
  for (const size_t piece : {size_t{3}, size_t{4}, size_t{4093}, size_t{65'540}, size_t{1 << 20}}) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    std::string out;
    ASSERT_TRUE(FeedInPieces(**d, packed, piece, &out).ok()) << piece;
    EXPECT_EQ(out, text) << piece;
    EXPECT_EQ((*d)->complete_input(), packed.size());
  }
}

TEST(SnappyFramingTest, GoldenStreamsOfAnotherImplementation) {
  // python-snappy 0.5.3's stream_compress (with a pure-Python CRC-32C): a compressed chunk,
  // and an uncompressed one for input it cannot shrink. Neither has a member-end marker.
  auto hello =
      Decompress(Compression::kSnappy, Unhex("ff060000734e61507059001700006"
                                             "7cfead8383468656c6c6f2c20736e617070790aa60e00"));
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  std::string expected;
  for (int i = 0; i < 4; ++i) expected += "hello, snappy\n";
  EXPECT_EQ(*hello, expected);
  auto a = Decompress(Compression::kSnappy, Unhex("ff060000734e6150705901050000786ee42861"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, "a");
  // And we write the same chunk for "a", between our identifier and marker.
  EXPECT_EQ(Packed("a"), Unhex("ff060000734e6150705901050000786ee42861fe000000"));
}

TEST(SnappyFramingTest, ConcatenatedStreamsDecodeAsOne) {
  const std::string a = Text(100'000);
  const std::string b = RandomBytes(1'000, 4);
  const std::string packed = Packed(a) + Packed(b) + Packed(a);
  auto unpacked = Decompress(Compression::kSnappy, packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(*unpacked, a + b + a);

  // Other writers' streams have no marker: a repeated identifier still ends the stream before.
  const std::string foreign = Packed(a).substr(0, Packed(a).size() - 4);
  const std::string two = foreign + foreign;
  auto d = Decompressor::Create(Compression::kSnappy);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->Feed(two, nullptr).ok());
  EXPECT_EQ((*d)->complete_input(), foreign.size());
  EXPECT_EQ((*d)->complete_output(), a.size());
  EXPECT_FALSE((*d)->at_member_boundary());
  EXPECT_TRUE((*d)->at_stream_end());
  auto whole = Decompress(Compression::kSnappy, two);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(*whole, a + a);
}

TEST(SnappyFramingTest, PaddingAndReservedSkippableChunksAreSkipped) {
  const std::string packed = Packed("first\n");
  const std::string second = Packed("second\n");
  const std::string stream = packed + MakeChunk(0xfe, std::string(70'000, '\0')) +
                             MakeChunk(0x80, "reserved") + MakeChunk(0xfd, std::string(3, 'x')) +
                             second.substr(10);  // without its identifier
  for (const size_t piece : {size_t{1}, size_t{7}, stream.size()}) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    std::string out;
    ASSERT_TRUE(FeedInPieces(**d, stream, piece, &out).ok()) << piece;
    EXPECT_EQ(out, "first\nsecond\n");
    EXPECT_TRUE((*d)->at_member_boundary());
  }
}

/// Members of 10,000 bytes of text: each is identifier, one data chunk, marker.
struct Members {
  std::string text;
  std::string packed;
  std::vector<size_t> ends;
};

Members TenMembers() {
  Members m;
  m.text = Text(100'000);
  auto z = Compressor::Create(Compression::kSnappy);
  for (size_t i = 0; i < m.text.size(); i += 10'000) {
    EXPECT_TRUE((*z)->Write(std::string_view(m.text).substr(i, 10'000), m.packed).ok());
    EXPECT_TRUE((*z)->EndMember(m.packed).ok());
    m.ends.push_back(m.packed.size());
  }
  return m;
}

TEST(SnappyFramingTest, BadCrcFailsAtItsChunkAndKeepsTheMembersBefore) {
  const Members m = TenMembers();
  std::string bad = m.packed;
  const size_t chunk = m.ends[3] + 10;  // the data chunk of member 5
  bad[chunk + 4] = static_cast<char>(bad[chunk + 4] ^ 0x01);
  for (const size_t piece : {size_t{1}, size_t{1000}, bad.size()}) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    const Status st = FeedInPieces(**d, bad, piece, nullptr);
    ASSERT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(
        st.message().find("CRC-32C mismatch in the chunk at input byte " + std::to_string(chunk)),
        std::string::npos)
        << st.message();
    EXPECT_EQ((*d)->complete_input(), m.ends[3]);
    EXPECT_EQ((*d)->complete_output(), 40'000u);
    EXPECT_EQ((*d)->complete_tail(), m.text.substr(40'000 - 8, 8));
    EXPECT_EQ((*d)->Feed(m.packed, nullptr).code(), StatusCode::kCorruption);  // stays failed
  }
}

TEST(SnappyFramingTest, TruncatedChunkKeepsTheMembersBefore) {
  const Members m = TenMembers();
  for (const size_t cut :
       {m.ends[6] + 3, m.ends[6] + 12, m.ends[7] - 5, m.ends[7] - 4, m.ends[7] - 1}) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*d)->Feed(std::string_view(m.packed).substr(0, cut), nullptr).ok());
    EXPECT_EQ((*d)->complete_input(), m.ends[6]) << cut;
    EXPECT_FALSE((*d)->at_member_boundary());
    auto r = Decompress(Compression::kSnappy, std::string_view(m.packed).substr(0, cut));
    EXPECT_EQ(r.status().code(), cut == m.ends[7] - 4 ? StatusCode::kOk : StatusCode::kCorruption)
        << cut;
  }
}

TEST(SnappyFramingTest, AChunkEndInsideAMemberIsNoMemberEnd) {
  // A member of 3.5 chunks torn after its second data chunk: both chunks verify, but the
  // writer had not ended the member there, so recovery must not keep them.
  const std::string first = Packed("whole member\n");
  const std::string second = Packed(Text(230'000));
  const std::vector<Chunk> chunks = Chunks(second);
  const std::string torn = first + second.substr(0, chunks[3].offset);
  auto d = Decompressor::Create(Compression::kSnappy);
  ASSERT_TRUE(d.ok());
  std::string out;
  ASSERT_TRUE((*d)->Feed(torn, &out).ok());
  EXPECT_EQ(out.size(), 13u + 2 * 65536u);
  EXPECT_EQ((*d)->complete_input(), first.size());
  EXPECT_EQ((*d)->complete_output(), 13u);
  EXPECT_EQ((*d)->complete_tail(), " member\n");
  EXPECT_TRUE((*d)->at_stream_end());  // as a plain snappy stream, it could end here
}

TEST(SnappyFramingTest, MalformedChunksAreCorruption) {
  const std::string ok = Packed("fine\n");
  struct Case {
    std::string stream;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"sNaPpY", "not a snappy framing stream (it does not start with a stream identifier)"},
      {MakeChunk(0x00, std::string(8, '\0')), "not a snappy framing stream"},
      {MakeChunk(0xff, "sNaPpZ"), "bad stream identifier chunk in the chunk at input byte 0"},
      {MakeChunk(0xff, "sNaPpYY"), "bad stream identifier chunk"},
      {ok + MakeChunk(0x02, "abcd"),
       "reserved unskippable chunk type 0x02 in the chunk at input byte " +
           std::to_string(ok.size())},
      {ok + MakeChunk(0x7f, ""), "reserved unskippable chunk type 0x7f"},
      {ok + MakeChunk(0x01, "abc"), "data chunk too short for its checksum"},
      // A header claiming more than 64 KiB fails before its body arrives.
      {ok + MakeChunk(0x01, std::string(65'541, 'x')).substr(0, 4),
       "chunk too large (65541 bytes, at most 65540)"},
      // Compressed data saying it decodes to 65,537 bytes (varint 0x81 0x80 0x04).
      {ok + MakeChunk(0x00, std::string(4, '\0') + "\x81\x80\x04"), "65537 decoded bytes"},
      {ok + MakeChunk(0x00, std::string(4, '\0') + "\x05\xff"), "corrupt compressed data"},
      {ok + std::string(16, '\0'), "data chunk too short"},  // zeros after a crash
  };
  for (const Case& c : cases) {
    auto d = Decompressor::Create(Compression::kSnappy);
    ASSERT_TRUE(d.ok());
    const Status st = (*d)->Feed(c.stream, nullptr);
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << c.message;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << st.message();
    EXPECT_EQ((*d)->complete_input(), c.stream.starts_with(ok) ? ok.size() : 0u) << c.message;
    EXPECT_FALSE((*d)->at_stream_end());
  }
}

/// The python3 with python-snappy (Debian's python3-snappy), or "" when there is none.
std::string PythonWithSnappy() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    const std::string probe = std::string(python) + " -c 'import snappy' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return python;
  }
  return "";
}

// python-snappy's framing code, with its CRC-32C replaced by a pure-Python one: Debian's 0.5.3
// build fails in its C crc32c on Python >= 3.10 (PY_SSIZE_T_CLEAN), its raw snappy works.
constexpr const char* kPythonScript = R"(import io, sys
import snappy, snappy.snappy as impl
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    table.append(c)
def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
impl._crc32c = crc32c
mode, src, dst = sys.argv[1:]
with open(src, 'rb') as i, open(dst, 'wb') as o:
    if mode == 'd':
        d = impl.StreamDecompressor()
        o.write(d.decompress(i.read()))
        d.flush()
    else:
        impl.stream_compress(i, o)
)";

class PythonSnappyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = PythonWithSnappy();
    if (python_.empty()) GTEST_SKIP() << "python-snappy is not installed (python3-snappy)";
    char tmpl[] = "/tmp/snappy_framing_testXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "framing.py") << kPythonScript;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  /// Runs the script on `input`; nullopt when it fails.
  std::optional<std::string> Run(char mode, const std::string& input) {
    std::ofstream(dir_ / "in", std::ios::binary) << input;
    const std::string cmd = python_ + " " + (dir_ / "framing.py").string() + " " + mode + " " +
                            (dir_ / "in").string() + " " + (dir_ / "out").string();
    if (std::system(cmd.c_str()) != 0) return std::nullopt;
    std::ifstream f(dir_ / "out", std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  std::string python_;
  std::filesystem::path dir_;
};

TEST_F(PythonSnappyTest, ReadsOurStreams) {
  // Members of odd sizes (markers between them), incompressible chunks, a 64 KiB-exact chunk.
  const std::string text = Text(150'000) + RandomBytes(70'000, 5) + Text(65'536);
  auto z = Compressor::Create(Compression::kSnappy);
  ASSERT_TRUE(z.ok());
  std::string packed;
  const std::vector<size_t> member_ends = {12'345, 150'000, 220'000, text.size()};
  size_t at = 0;
  for (const size_t end : member_ends) {
    ASSERT_TRUE((*z)->Write(std::string_view(text).substr(at, end - at), packed).ok());
    ASSERT_TRUE((*z)->EndMember(packed).ok());
    at = end;
  }
  const auto decoded = Run('d', packed);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, text);
}

TEST_F(PythonSnappyTest, WeReadItsStreams) {
  const std::string text = Text(200'000) + RandomBytes(80'000, 6);
  const auto packed = Run('c', text);
  ASSERT_TRUE(packed.has_value());
  EXPECT_EQ(Chunks(*packed).size(), 1u + (text.size() + 65535) / 65536);
  auto unpacked = Decompress(Compression::kSnappy, *packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(*unpacked, text);
}

}  // namespace
}  // namespace rivven::formats
