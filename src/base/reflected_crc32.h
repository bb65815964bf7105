#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace rivven {

/// A 32-bit CRC with a reflected polynomial, pre- and post-inverted (the convention of zlib's
/// crc32 for ISO-HDLC 0xEDB88320, and of CRC-32C 0x82F63B78). Long inputs are folded 64 bytes
/// at a time with carry-less multiplication (PCLMULQDQ) when the build targets it; the rest
/// goes through slicing-by-8 tables. The tables and fold constants are derived from the
/// polynomial at compile time. Thread-safe, no allocation; meant to be a constexpr constant.
class ReflectedCrc32 {
 public:
  consteval explicit ReflectedCrc32(uint32_t reflected_polynomial);

  /// Continues `crc` (0 to start) over `n` bytes: Extend(Extend(0, a), b) == Extend(0, a + b).
  uint32_t Extend(uint32_t crc, const void* data, size_t n) const;
  /// The same through the tables alone, so tests can check both paths agree.
  uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n) const;
  /// Runs the raw register (not inverted) over n bytes with the tables.
  uint32_t TableRaw(uint32_t c, const unsigned char* p, size_t n) const;
  /// Runs the raw register over n >= 16 bytes, folding; needs PCLMULQDQ (FoldingAvailable()).
  uint32_t FoldRaw(uint32_t c, const unsigned char* p, size_t n) const;
  static bool FoldingAvailable();

 private:
  // x^n mod P in the reflected form (coefficient of x^d in bit 31-d).
  static constexpr uint32_t XPowMod(uint32_t poly, unsigned n) {
    uint32_t c = 0x80000000U;
    while (n-- > 0) c = (c >> 1) ^ ((c & 1U) ? poly : 0U);
    return c;
  }

  uint32_t poly_;
  std::array<std::array<uint32_t, 256>, 8> tables_{};
  // Fold constants (see reflected_crc32.cc): for 512 and 128 bits, the multipliers of a
  // block's first and second halves.
  uint64_t fold512_first_ = 0, fold512_second_ = 0, fold128_first_ = 0, fold128_second_ = 0;
};

consteval ReflectedCrc32::ReflectedCrc32(uint32_t reflected_polynomial)
    : poly_(reflected_polynomial) {
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1U) ? poly_ : 0U);
    tables_[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k) {
      tables_[k][b] = (tables_[k - 1][b] >> 8) ^ tables_[0][tables_[k - 1][b] & 0xFFU];
    }
  }
  // Carry-less multiplication of two reflected operands yields the product times x, so each
  // constant is taken one power lower; it sits in the upper half of its 64-bit operand.
  const uint32_t poly = poly_;
  auto constant = [poly](unsigned power) { return uint64_t{XPowMod(poly, power - 1)} << 32; };
  fold512_first_ = constant(512 + 64);
  fold512_second_ = constant(512);
  fold128_first_ = constant(128 + 64);
  fold128_second_ = constant(128);
}

}  // namespace rivven
