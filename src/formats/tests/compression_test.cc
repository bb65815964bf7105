#include "formats/compression.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace rivven::formats {
namespace {

class CompressionTest : public ::testing::TestWithParam<Compression> {};

std::string SampleText(size_t records) {
  std::string s;
  for (size_t i = 0; i < records; ++i) {
    s += "{\"order_id\":" + std::to_string(i) + ",\"product\":\"widget-" + std::to_string(i % 17) +
         "\",\"total\":" + std::to_string(i * 3 % 1000) + ".50}\n";
  }
  return s;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

/// Writes `text` as members, ending one after every `member_bytes` of input.
std::string CompressInMembers(Compression c, std::string_view text, size_t member_bytes,
                              std::vector<size_t>* member_ends = nullptr) {
  auto z = Compressor::Create(c);
  EXPECT_TRUE(z.ok());
  std::string out;
  while (!text.empty()) {
    const size_t n = std::min(member_bytes, text.size());
    EXPECT_TRUE((*z)->Write(text.substr(0, n), out).ok());
    EXPECT_TRUE((*z)->member_open());
    EXPECT_TRUE((*z)->EndMember(out).ok());
    EXPECT_FALSE((*z)->member_open());
    if (member_ends != nullptr) member_ends->push_back(out.size());
    text.remove_prefix(n);
  }
  return out;
}

TEST_P(CompressionTest, RoundTripsTextAndBinary) {
  for (const std::string& text :
       {std::string(), std::string("x"), SampleText(20'000), RandomBytes(3 << 20, 1)}) {
    auto packed = Compress(GetParam(), text);
    ASSERT_TRUE(packed.ok()) << packed.status().ToString();
    if (text.size() > 100'000 && text[0] == '{') {
      // snappy trades ratio for speed
      EXPECT_LT(packed->size(), text.size() / (GetParam() == Compression::kSnappy ? 3 : 4));
    }
    auto unpacked = Decompress(GetParam(), *packed);
    ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
    EXPECT_EQ(*unpacked, text);
  }
}

TEST_P(CompressionTest, EndMemberWithoutDataWritesNothing) {
  auto z = Compressor::Create(GetParam());
  ASSERT_TRUE(z.ok());
  std::string out;
  ASSERT_TRUE((*z)->EndMember(out).ok());
  ASSERT_TRUE((*z)->Write("", out).ok());
  ASSERT_TRUE((*z)->EndMember(out).ok());
  EXPECT_EQ(out, "");
}

TEST_P(CompressionTest, ConcatenatedMembersDecodeAsOneStream) {
  const std::string text = SampleText(5'000);
  std::vector<size_t> ends;
  const std::string packed = CompressInMembers(GetParam(), text, 10'000, &ends);
  ASSERT_GT(ends.size(), 10u);
  auto unpacked = Decompress(GetParam(), packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(*unpacked, text);

  // Fed one byte at a time, every member end is reported exactly where it is.
  auto d = Decompressor::Create(GetParam());
  ASSERT_TRUE(d.ok());
  std::string out;
  size_t next_end = 0;
  for (size_t i = 0; i < packed.size(); ++i) {
    ASSERT_TRUE((*d)->Feed(std::string_view(packed).substr(i, 1), &out).ok()) << i;
    if (i + 1 == ends[next_end]) {
      EXPECT_EQ((*d)->complete_input(), ends[next_end]);
      EXPECT_TRUE((*d)->at_member_boundary());
      ++next_end;
    } else {
      EXPECT_FALSE((*d)->at_member_boundary()) << i;
    }
  }
  EXPECT_EQ(out, text);
  EXPECT_EQ((*d)->complete_output(), text.size());
  EXPECT_EQ((*d)->complete_tail(), text.substr(text.size() - 8));
}

TEST_P(CompressionTest, TornStreamKeepsItsCompleteMembers) {
  const std::string text = SampleText(2'000);
  std::vector<size_t> ends;
  const std::string packed = CompressInMembers(GetParam(), text, 20'000, &ends);
  ASSERT_GE(ends.size(), 3u);
  // Cut inside the third member: the first two survive, byte for byte.
  const size_t cut = ends[1] + (ends[2] - ends[1]) / 2;
  auto d = Decompressor::Create(GetParam());
  ASSERT_TRUE(d.ok());
  std::string out;
  ASSERT_TRUE((*d)->Feed(std::string_view(packed).substr(0, cut), &out).ok());
  EXPECT_EQ((*d)->complete_input(), ends[1]);
  EXPECT_EQ((*d)->complete_output(), 40'000u);
  EXPECT_FALSE((*d)->at_member_boundary());
  EXPECT_EQ(out.substr(0, 40'000), text.substr(0, 40'000));
  EXPECT_FALSE(Decompress(GetParam(), std::string_view(packed).substr(0, cut)).ok());
}

TEST_P(CompressionTest, GarbageAfterTheLastMemberIsCorruption) {
  const std::string text = SampleText(100);
  const std::string packed = CompressInMembers(GetParam(), text, 1'000);
  for (const std::string& garbage :
       {std::string("garbage after the end\n"), std::string(64, '\0'), RandomBytes(4096, 2)}) {
    auto d = Decompressor::Create(GetParam());
    ASSERT_TRUE(d.ok());
    Status st = (*d)->Feed(packed + garbage, nullptr);
    EXPECT_EQ((*d)->complete_input(), packed.size());
    if (st.ok()) {
      // A prefix of the garbage may parse as the start of a member: then it is incomplete.
      EXPECT_FALSE((*d)->at_member_boundary());
    } else {
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
      // The decoder stays failed.
      EXPECT_FALSE((*d)->Feed(packed, nullptr).ok());
    }
  }
}

TEST_P(CompressionTest, CorruptedPayloadFailsItsChecksum) {
  const std::string text = SampleText(1'000);
  std::string packed = *Compress(GetParam(), text);
  // Flip a bit in the compressed payload, or in the trailer's checksum: both must fail.
  for (const size_t pos : {packed.size() / 2, packed.size() - 6}) {
    std::string bad = packed;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    auto d = Decompressor::Create(GetParam());
    ASSERT_TRUE(d.ok());
    (void)(*d)->Feed(bad, nullptr);
    EXPECT_EQ((*d)->complete_input(), 0u) << pos;
  }
}

TEST_P(CompressionTest, SystemToolsAcceptConcatenatedMembers) {
  if (GetParam() == Compression::kSnappy) {
    GTEST_SKIP() << "no system tool; see PythonSnappyTest in snappy_framing_test.cc";
  }
  const char* tool = GetParam() == Compression::kGzip ? "gzip" : "zstd";
  if (std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << tool << " is not installed";
  }
  char tmpl[] = "/tmp/compression_testXXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path file = dir / (std::string("t") + CompressionExtension(GetParam()));
  const std::string text = SampleText(3'000);
  {
    std::ofstream f(file, std::ios::binary);
    f << CompressInMembers(GetParam(), text, 7'777);
  }
  EXPECT_EQ(std::system((std::string(tool) + " -t -q " + file.string()).c_str()), 0);
  const std::filesystem::path plain = dir / "t.out";
  ASSERT_EQ(
      std::system(
          (std::string(tool) + " -d -c -q " + file.string() + " > " + plain.string()).c_str()),
      0);
  std::ifstream in(plain, std::ios::binary);
  const std::string decoded((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(decoded, text);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Formats, CompressionTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd,
                                           Compression::kSnappy),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(CompressionNamesTest, NamesAndExtensions) {
  EXPECT_STREQ(CompressionName(Compression::kNone), "none");
  EXPECT_STREQ(CompressionExtension(Compression::kNone), "");
  EXPECT_STREQ(CompressionExtension(Compression::kGzip), ".gz");
  EXPECT_STREQ(CompressionExtension(Compression::kZstd), ".zst");
  EXPECT_STREQ(CompressionName(Compression::kSnappy), "snappy");
  EXPECT_STREQ(CompressionExtension(Compression::kSnappy), ".sz");
  EXPECT_FALSE(Compressor::Create(Compression::kNone).ok());
  EXPECT_FALSE(Decompressor::Create(Compression::kNone).ok());
}

}  // namespace
}  // namespace rivven::formats
