#include "connectors/mysql/binlog_crc32.h"

#include <array>
#include <cstddef>
#include <cstring>

#if defined(__PCLMUL__) && defined(__SSE4_1__)
#include <immintrin.h>
#define RIVVEN_CRC32_CLMUL 1
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
// carry-less products that fit in 128 bits and are added (XOR) to the block D bits on. The
// constants are computed below from P, not written out. The 16 bytes left after folding are
// finished with the tables.
namespace rivven::mysql {
namespace {

constexpr uint32_t kPoly = 0xEDB88320U;

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

// The CRC register `c` (not inverted) run over n bytes.
uint32_t TableRaw(uint32_t c, const unsigned char* p, size_t n) {
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

#if defined(RIVVEN_CRC32_CLMUL)
// x^n mod P, reflected: start from x^0 (bit 31) and multiply by x n times.
constexpr uint32_t XPowMod(unsigned n) {
  uint32_t c = 0x80000000U;
  while (n-- > 0) c = (c >> 1) ^ ((c & 1U) ? kPoly : 0U);
  return c;
}

// A fold constant as a 64-bit operand: the reflected 32 bits in the upper half, so that
// coefficient x^d sits at bit 63-d as in the message halves. Carry-less multiplication of two
// such reflected operands yields the product times x (bit k holds x^(126-k), not x^(127-k)),
// so each constant is taken one power lower.
constexpr uint64_t FoldConstant(unsigned power) {
  return uint64_t{XPowMod(power - 1)} << 32;
}

// Constants for folding a block forward by D bits: (x^(D+64), x^D).
struct FoldBy {
  uint64_t first_half;
  uint64_t second_half;
};
constexpr FoldBy MakeFold(unsigned bits) { return {FoldConstant(bits + 64), FoldConstant(bits)}; }
constexpr FoldBy kFold512 = MakeFold(512);  // four blocks at a time
constexpr FoldBy kFold128 = MakeFold(128);  // one block

inline __m128i Fold(__m128i r, __m128i k, __m128i next) {
  const __m128i first = _mm_clmulepi64_si128(r, k, 0x00);   // H × (x^(D+64) mod P)
  const __m128i second = _mm_clmulepi64_si128(r, k, 0x11);  // L × (x^D mod P)
  return _mm_xor_si128(_mm_xor_si128(first, second), next);
}

inline __m128i Load(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// n >= 16.
uint32_t ClmulRaw(uint32_t c, const unsigned char* p, size_t n) {
  const __m128i k128 = _mm_set_epi64x(static_cast<long long>(kFold128.second_half),
                                      static_cast<long long>(kFold128.first_half));
  __m128i x = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(c)));
  p += 16;
  n -= 16;
  if (n >= 48) {  // four blocks in flight, folded 64 bytes on
    const __m128i k512 = _mm_set_epi64x(static_cast<long long>(kFold512.second_half),
                                        static_cast<long long>(kFold512.first_half));
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
  // What is left ≡ the 16 folded bytes followed by the last n: their CRC from a zero register.
  alignas(16) unsigned char folded[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(folded), x);
  return TableRaw(TableRaw(0, folded, sizeof folded), p, n);
}
#endif

}  // namespace

uint32_t BinlogCrc32Portable(uint32_t crc, std::string_view bytes) {
  return ~TableRaw(~crc, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

uint32_t BinlogCrc32Extend(uint32_t crc, std::string_view bytes) {
#if defined(RIVVEN_CRC32_CLMUL)
  if (bytes.size() >= 16) {
    return ~ClmulRaw(~crc, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }
#endif
  return BinlogCrc32Portable(crc, bytes);
}

uint32_t BinlogCrc32(std::string_view bytes) { return BinlogCrc32Extend(0, bytes); }

}  // namespace rivven::mysql
