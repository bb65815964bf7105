#include "broker/embedded/crc32c.h"

#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace rivven::embedded {
namespace {

constexpr uint32_t kPoly = 0x82F63B78U;  // reflected Castagnoli polynomial

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1U) ? kPoly : 0U);
    t[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFU];
  }
  return t;
}

constexpr auto kTables = MakeTables();

uint32_t PortableRaw(uint32_t c, const unsigned char* p, size_t n) {
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // little-endian host assumed (x86-64, aarch64)
    w ^= c;
    c = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
        kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^ kTables[2][(w >> 40) & 0xFF] ^
        kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFFU];
  return c;
}

#if defined(__SSE4_2__)
uint32_t HardwareRaw(uint32_t c, const unsigned char* p, size_t n) {
  uint64_t c64 = c;
  // One dependency chain of 8-byte steps does ~8 bytes per 3 cycles (several GB/s), far more
  // than the log writes; interleaving three streams and merging them is not worth its code.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7U) != 0) {
    c64 = _mm_crc32_u8(static_cast<uint32_t>(c64), *p++);
    --n;
  }
  while (n >= 32) {
    uint64_t w0, w1, w2, w3;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, 8);
    std::memcpy(&w2, p + 16, 8);
    std::memcpy(&w3, p + 24, 8);
    c64 = _mm_crc32_u64(c64, w0);
    c64 = _mm_crc32_u64(c64, w1);
    c64 = _mm_crc32_u64(c64, w2);
    c64 = _mm_crc32_u64(c64, w3);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c64 = _mm_crc32_u64(c64, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c64);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}
#endif

}  // namespace

uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n) {
  return ~PortableRaw(~crc, static_cast<const unsigned char*>(data), n);
}

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n) {
#if defined(__SSE4_2__)
  return ~HardwareRaw(~crc, static_cast<const unsigned char*>(data), n);
#else
  return Crc32cPortable(crc, data, n);
#endif
}

uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }

bool Crc32cIsHardware() {
#if defined(__SSE4_2__)
  return true;
#else
  return false;
#endif
}

}  // namespace rivven::embedded
