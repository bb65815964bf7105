#include "base/reflected_crc32.h"

#include <cstring>

#if defined(__PCLMUL__) && defined(__SSE4_1__)
#include <immintrin.h>
#define RIVVEN_CRC_CLMUL 1
#endif

// Polynomials over GF(2) in the CRC's reflected form: a 32-bit word holds the coefficient of
// x^d in bit 31-d, and a message's first bit (bit 0 of its first byte) is its highest power.
// The CRC of a message M (after XORing the initial value into its first four bytes) is
// M·x^32 mod P.
//
// Folding (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
// Instruction", Intel, 2009): a 128-bit block R followed by D more bits of message contributes
// R·x^D, and only R·x^D mod P matters. Split R into its first half H (x^127..x^64) and its
// second half L (x^63..x^0); then R·x^D ≡ H·(x^(D+64) mod P) + L·(x^D mod P), two 64×32-bit
// carry-less products that fit in 128 bits and are added (XOR) to the block D bits on. The 16
// bytes left after folding, followed by the last partial block, are finished with the tables
// from a zero register.
namespace rivven {

uint32_t ReflectedCrc32::TableRaw(uint32_t c, const unsigned char* p, size_t n) const {
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // little-endian host assumed (x86-64, aarch64)
    w ^= c;
    c = tables_[7][w & 0xFF] ^ tables_[6][(w >> 8) & 0xFF] ^ tables_[5][(w >> 16) & 0xFF] ^
        tables_[4][(w >> 24) & 0xFF] ^ tables_[3][(w >> 32) & 0xFF] ^
        tables_[2][(w >> 40) & 0xFF] ^ tables_[1][(w >> 48) & 0xFF] ^ tables_[0][w >> 56];
    p += 8;
    n -= 8;
  }
  if (n >= 4) {  // the tail of folded input is under 16 bytes: one step of four first
    uint32_t w;
    std::memcpy(&w, p, 4);
    w ^= c;
    c = tables_[3][w & 0xFF] ^ tables_[2][(w >> 8) & 0xFF] ^ tables_[1][(w >> 16) & 0xFF] ^
        tables_[0][w >> 24];
    p += 4;
    n -= 4;
  }
  while (n-- > 0) c = (c >> 8) ^ tables_[0][(c ^ *p++) & 0xFFU];
  return c;
}

bool ReflectedCrc32::FoldingAvailable() {
#if defined(RIVVEN_CRC_CLMUL)
  return true;
#else
  return false;
#endif
}

#if defined(RIVVEN_CRC_CLMUL)
namespace {

inline __m128i Fold(__m128i r, __m128i k, __m128i next) {
  const __m128i first = _mm_clmulepi64_si128(r, k, 0x00);   // H × (x^(D+64) mod P)
  const __m128i second = _mm_clmulepi64_si128(r, k, 0x11);  // L × (x^D mod P)
  return _mm_xor_si128(_mm_xor_si128(first, second), next);
}

inline __m128i Load(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

inline __m128i Constants(uint64_t first_half, uint64_t second_half) {
  return _mm_set_epi64x(static_cast<long long>(second_half), static_cast<long long>(first_half));
}

}  // namespace

uint32_t ReflectedCrc32::FoldRaw(uint32_t c, const unsigned char* p, size_t n) const {
  const __m128i k128 = Constants(fold128_first_, fold128_second_);
  __m128i x = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(c)));
  p += 16;
  n -= 16;
  if (n >= 48) {  // four blocks in flight, folded 64 bytes on
    const __m128i k512 = Constants(fold512_first_, fold512_second_);
    __m128i x1 = Load(p);
    __m128i x2 = Load(p + 16);
    __m128i x3 = Load(p + 32);
    p += 48;
    n -= 48;
    while (n >= 64) {
      x = Fold(x, k512, Load(p));
      x1 = Fold(x1, k512, Load(p + 16));
      x2 = Fold(x2, k512, Load(p + 32));
      x3 = Fold(x3, k512, Load(p + 48));
      p += 64;
      n -= 64;
    }
    x = Fold(x, k128, x1);
    x = Fold(x, k128, x2);
    x = Fold(x, k128, x3);
  }
  while (n >= 16) {
    x = Fold(x, k128, Load(p));
    p += 16;
    n -= 16;
  }
  alignas(16) unsigned char folded[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(folded), x);
  return TableRaw(TableRaw(0, folded, sizeof folded), p, n);
}
#else
uint32_t ReflectedCrc32::FoldRaw(uint32_t c, const unsigned char* p, size_t n) const {
  return TableRaw(c, p, n);
}
#endif

uint32_t ReflectedCrc32::ExtendPortable(uint32_t crc, const void* data, size_t n) const {
  return ~TableRaw(~crc, static_cast<const unsigned char*>(data), n);
}

uint32_t ReflectedCrc32::Extend(uint32_t crc, const void* data, size_t n) const {
  if (FoldingAvailable() && n >= 16) {
    return ~FoldRaw(~crc, static_cast<const unsigned char*>(data), n);
  }
  return ExtendPortable(crc, data, n);
}

}  // namespace rivven
