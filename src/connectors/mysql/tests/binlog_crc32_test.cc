#include "connectors/mysql/binlog_crc32.h"

#include <zlib.h>

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace rivven::mysql {
namespace {

uint32_t Zlib(std::string_view s) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

TEST(BinlogCrc32, KnownCheckValue) {
  // The catalogue's check value of CRC-32/ISO-HDLC.
  EXPECT_EQ(BinlogCrc32("123456789"), 0xCBF43926U);
  EXPECT_EQ(BinlogCrc32(""), 0U);
}

TEST(BinlogCrc32, AgreesWithZlibForEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::string data(2048 + 16, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 2048; n += (n < 300 ? 1 : 37)) {
      const std::string_view s(data.data() + offset, n);
      ASSERT_EQ(BinlogCrc32(s), Zlib(s)) << "offset " << offset << " length " << n;
      ASSERT_EQ(BinlogCrc32Portable(0, s), Zlib(s)) << "offset " << offset << " length " << n;
    }
  }
}

TEST(BinlogCrc32, ExtendsAcrossPieces) {
  std::mt19937 rng(11);
  std::string data(5000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const uint32_t whole = Zlib(data);
  for (size_t cut : {0UL, 1UL, 63UL, 64UL, 65UL, 1000UL, 4999UL, 5000UL}) {
    const std::string_view s(data);
    EXPECT_EQ(BinlogCrc32Extend(BinlogCrc32(s.substr(0, cut)), s.substr(cut)), whole) << cut;
  }
}

TEST(BinlogCrc32, AllOnesAndZerosBlocks) {
  for (char fill : {'\0', '\xff'}) {
    for (size_t n : {64UL, 128UL, 4096UL, 1UL << 20}) {
      const std::string s(n, fill);
      EXPECT_EQ(BinlogCrc32(s), Zlib(s)) << n;
    }
  }
}

}  // namespace
}  // namespace rivven::mysql
