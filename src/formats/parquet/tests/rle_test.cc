#include "formats/parquet/rle.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/parquet/delta.h"

namespace rivven::formats::parquet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

TEST(RleTest, BitPackingMatchesTheSpecExample) {
  // parquet-format Encodings.md: 0..7 with bit width 3 pack to 10001000 11000110 11111010.
  const uint32_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  BitPack8(values, 3, &out);
  EXPECT_EQ(out, Bytes({0x88, 0xC6, 0xFA}));
  uint32_t back[8];
  Unpack8(out, 3, back);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(back[i], values[i]);
}

TEST(RleTest, EncodesRunsAndBitPackedGroups) {
  // 10 ones: one RLE run, header 10 << 1 = 0x14, value 0x01.
  std::vector<uint32_t> ones(10, 1);
  std::string out;
  RleEncode(ones.data(), ones.size(), 1, &out);
  EXPECT_EQ(out, Bytes({0x14, 0x01}));
  // 0..7 at width 3: one bit-packed group, header (1 << 1) | 1 = 0x03, then the spec's bytes.
  std::vector<uint32_t> seq = {0, 1, 2, 3, 4, 5, 6, 7};
  out.clear();
  RleEncode(seq.data(), seq.size(), 3, &out);
  EXPECT_EQ(out, Bytes({0x03, 0x88, 0xC6, 0xFA}));
  // 3 values, padded to a group of 8.
  std::vector<uint32_t> three = {1, 0, 1};
  out.clear();
  RleEncode(three.data(), three.size(), 1, &out);
  EXPECT_EQ(out, Bytes({0x03, 0x05}));
  // A run of 300 equal values: varint header 600 = 0xd8 0x04, value in 2 bytes for width 9.
  std::vector<uint32_t> run(300, 257);
  out.clear();
  RleEncode(run.data(), run.size(), 9, &out);
  EXPECT_EQ(out, Bytes({0xd8, 0x04, 0x01, 0x01}));
}

TEST(RleTest, RoundTripsRandomValuesAtEveryWidth) {
  std::mt19937 rng(7);
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1000}}) {
      std::vector<uint32_t> values(n);
      const uint64_t limit = width == 32 ? (1ull << 32) : (1ull << width);
      for (size_t i = 0; i < n; ++i) {
        // Mix runs and noise.
        values[i] =
            (i / 13) % 2 ? static_cast<uint32_t>(limit - 1) : static_cast<uint32_t>(rng() % limit);
      }
      std::string out;
      RleEncode(values.data(), n, width, &out);
      RleDecoder d(out, width);
      std::vector<uint32_t> back(n);
      ASSERT_TRUE(d.Decode(back.data(), n)) << width << " " << n << " " << d.what();
      EXPECT_EQ(back, values) << width << " " << n;
    }
  }
}

TEST(RleTest, DecoderRejectsTruncatedData) {
  std::vector<uint32_t> values(100);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i % 5);
  std::string out;
  RleEncode(values.data(), values.size(), 3, &out);
  // The last group holds values 96..99 and padding: its last byte carries only padding, so
  // data cut there still decodes (writers may drop it); any shorter cut fails.
  {
    RleDecoder d(std::string_view(out).substr(0, out.size() - 1), 3);
    std::vector<uint32_t> back(values.size());
    EXPECT_TRUE(d.Decode(back.data(), back.size())) << d.what();
    EXPECT_EQ(back, values);
  }
  for (size_t cut = 0; cut + 1 < out.size(); ++cut) {
    RleDecoder d(std::string_view(out).substr(0, cut), 3);
    std::vector<uint32_t> back(values.size());
    EXPECT_FALSE(d.Decode(back.data(), back.size())) << cut;
  }
  // An RLE value wider than the bit width.
  const std::string bad = Bytes({0x10, 0x03});
  RleDecoder d(bad, 1);
  uint8_t v[8];
  EXPECT_FALSE(d.Decode(v, 8));
}

TEST(DeltaTest, DecodesTheSpecExamples) {
  // Encodings.md example 1: 1 2 3 4 5 -> header (block 128, 4 miniblocks, 5 values, first 1),
  // block: min delta 1, widths 0 0 0 0 (no miniblock data).
  const std::string ex1 = Bytes({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00});
  DeltaBinaryPackedDecoder d(ex1);
  std::vector<int64_t> out;
  ASSERT_TRUE(d.DecodeAll(100, &out)) << d.what();
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(d.position(), ex1.size());
  // Example 2: 7 5 3 1 2 3 4 5: deltas -2 -2 -2 1 1 1 1, min -2, packed 0 0 0 3 3 3 3 (width 2).
  std::string ex2 = Bytes({0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0x00, 0x00, 0x00});
  std::string mini(8, '\0');          // 32 values * 2 bits
  mini[0] = static_cast<char>(0xC0);  // values 0 0 0 3
  mini[1] = static_cast<char>(0xFF);  // 3 3 3 3... only the first 3 of these count (7 deltas)
  ex2 += mini;
  DeltaBinaryPackedDecoder d2(ex2);
  out.clear();
  ASSERT_TRUE(d2.DecodeAll(100, &out)) << d2.what();
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // More values than allowed.
  DeltaBinaryPackedDecoder d3(ex1);
  out.clear();
  EXPECT_FALSE(d3.DecodeAll(4, &out));
}

}  // namespace
}  // namespace rivven::formats::parquet
