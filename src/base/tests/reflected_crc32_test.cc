#include "base/reflected_crc32.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace rivven {
namespace {

constexpr ReflectedCrc32 kIsoHdlc(0xEDB88320U);
constexpr ReflectedCrc32 kCastagnoli(0x82F63B78U);

TEST(ReflectedCrc32Test, CatalogueCheckValues) {
  // "123456789" in the CRC catalogue: CRC-32/ISO-HDLC and CRC-32/ISCSI.
  EXPECT_EQ(kIsoHdlc.Extend(0, "123456789", 9), 0xCBF43926U);
  EXPECT_EQ(kCastagnoli.Extend(0, "123456789", 9), 0xE3069283U);
}

TEST(ReflectedCrc32Test, FoldingAgreesWithTablesAtEveryLengthAndAlignment) {
  std::mt19937 rng(5);
  std::string data(1200, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (const ReflectedCrc32* crc : {&kIsoHdlc, &kCastagnoli}) {
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t n = 0; n + offset <= data.size(); n += (n < 200 ? 1 : 29)) {
        ASSERT_EQ(crc->Extend(0x12345678U, data.data() + offset, n),
                  crc->ExtendPortable(0x12345678U, data.data() + offset, n))
            << "offset " << offset << " length " << n;
      }
    }
  }
}

}  // namespace
}  // namespace rivven
