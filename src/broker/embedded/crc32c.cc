#include "broker/embedded/crc32c.h"

#include <cstring>

#include "base/reflected_crc32.h"

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace rivven::embedded {
namespace {

constexpr ReflectedCrc32 kCastagnoli(0x82F63B78U);

// Above this many bytes, folding with carry-less multiplication (four blocks in flight) beats
// one dependency chain of the crc32 instruction; below, its setup does not pay.
constexpr size_t kFoldFrom = 256;

#if defined(__SSE4_2__)
uint32_t HardwareRaw(uint32_t c, const unsigned char* p, size_t n) {
  uint64_t c64 = c;
  // One dependency chain of 8-byte steps (~8 bytes per 3 cycles): for short inputs only.
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
  return kCastagnoli.ExtendPortable(crc, data, n);
}

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n) {
  if (n >= kFoldFrom && ReflectedCrc32::FoldingAvailable()) return kCastagnoli.Extend(crc, data, n);
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
