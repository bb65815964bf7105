#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rivven::formats::parquet {

/// Bytes of one value of `bit_width` bits in an RLE run: ceil(bit_width / 8).
inline int RleValueBytes(int bit_width) { return (bit_width + 7) / 8; }

/// Bits needed for values up to `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

/// Packs 8 values of `bit_width` bits (LSB first, as Parquet's bit-packed runs) into
/// `bit_width` bytes appended to `out`.
void BitPack8(const uint32_t* values, int bit_width, std::string* out);

/// Appends the RLE / bit-packed hybrid encoding (without a length prefix) of `n` values each
/// below 2^bit_width (bit_width 0..32): runs of 8 or more equal values as RLE runs, the rest in
/// bit-packed runs of groups of 8 (the last group padded with zeros).
void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out);
void RleEncode(const uint8_t* values, size_t n, int bit_width, std::string* out);

/// Reads the RLE / bit-packed hybrid encoding, bounds-checked. Not thread-safe.
class RleDecoder {
 public:
  RleDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  /// Decodes the next `n` values into `out`. False when the data ends before `n` values (or a
  /// run is malformed): what() says why. Values of a bit-packed run the data cuts short are
  /// not invented.
  bool Decode(uint32_t* out, size_t n);
  /// The same for levels (bit_width <= 8).
  bool Decode(uint8_t* out, size_t n);

  const char* what() const { return what_; }
  /// Bytes consumed by the runs started so far.
  size_t position() const { return pos_; }

 private:
  template <typename T>
  bool DecodeT(T* out, size_t n);
  bool NextRun();

  std::string_view data_;
  int bit_width_;
  size_t pos_ = 0;
  // The current run.
  bool rle_ = false;
  uint64_t left_ = 0;  // values left in the run
  uint32_t rle_value_ = 0;
  size_t packed_at_ = 0;    // byte offset of the next group of a bit-packed run
  uint32_t group_[8] = {};  // the unpacked current group
  int group_pos_ = 8;       // next value in group_ (8: none)
  int group_valid_ = 0;     // values of group_ the data holds
  const char* what_ = "";
};

/// Unpacks up to 8 values of `bit_width` (<= 32) bits from `bytes` (bit_width bytes, fewer when
/// the data ends early: the missing bits are zero).
void Unpack8(std::string_view bytes, int bit_width, uint32_t* out);

}  // namespace rivven::formats::parquet
