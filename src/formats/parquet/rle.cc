#include "formats/parquet/rle.h"

#include <algorithm>
#include <cstring>

namespace rivven::formats::parquet {

int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value); }

void BitPack8(const uint32_t* values, int bit_width, std::string* out) {
  if (bit_width == 0) return;
  char bytes[32];
  uint64_t acc = 0;
  int bits = 0;
  int at = 0;
  for (int i = 0; i < 8; ++i) {
    acc |= static_cast<uint64_t>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      bytes[at++] = static_cast<char>(acc & 0xFF);
      acc >>= 8;
      bits -= 8;
    }
  }
  out->append(bytes, static_cast<size_t>(at));
}

void Unpack8(std::string_view bytes, int bit_width, uint32_t* out) {
  if (bit_width == 0) {
    std::fill(out, out + 8, 0u);
    return;
  }
  unsigned char buf[40] = {};
  std::memcpy(buf, bytes.data(), std::min<size_t>(bytes.size(), static_cast<size_t>(bit_width)));
  const uint64_t mask = bit_width == 64 ? ~0ull : (1ull << bit_width) - 1;
  for (int i = 0; i < 8; ++i) {
    const int bit = i * bit_width;
    uint64_t word;
    std::memcpy(&word, buf + bit / 8, 8);  // little-endian
    out[i] = static_cast<uint32_t>((word >> (bit % 8)) & mask);
  }
}

namespace {

void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

template <typename T>
size_t RunLength(const T* values, size_t at, size_t n) {
  size_t j = at + 1;
  while (j < n && values[j] == values[at]) ++j;
  return j - at;
}

template <typename T>
void RleEncodeT(const T* values, size_t n, int bit_width, std::string* out) {
  const int value_bytes = RleValueBytes(bit_width);
  size_t i = 0;
  while (i < n) {
    const size_t run = RunLength(values, i, n);
    if (run >= 8) {
      Varint(static_cast<uint64_t>(run) << 1, out);
      const uint32_t v = values[i];
      for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>(v >> (8 * b)));
      i += run;
      continue;
    }
    // A bit-packed run: groups of 8 until a run of 8 equal values starts at a group boundary.
    size_t j = i + 8;
    while (j < n && RunLength(values, j, std::min(n, j + 8)) < 8) j += 8;
    const size_t groups = (std::min(j, n) - i + 7) / 8;
    Varint(groups << 1 | 1, out);
    uint32_t group[8];
    for (size_t g = 0; g < groups; ++g) {
      for (size_t k = 0; k < 8; ++k) {
        const size_t at = i + g * 8 + k;
        group[k] = at < n ? static_cast<uint32_t>(values[at]) : 0;
      }
      BitPack8(group, bit_width, out);
    }
    i = std::min(j, n);
  }
}

}  // namespace

void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  RleEncodeT(values, n, bit_width, out);
}

void RleEncode(const uint8_t* values, size_t n, int bit_width, std::string* out) {
  RleEncodeT(values, n, bit_width, out);
}

bool RleDecoder::NextRun() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (pos_ >= data_.size()) {
      what_ = "RLE data ends before the values it should hold";
      return false;
    }
    if (shift > 56) {
      what_ = "RLE run header too long";
      return false;
    }
    const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    header |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (header & 1) {
    rle_ = false;
    left_ = (header >> 1) * 8;
    packed_at_ = pos_;
    // The run's bytes; a writer may stop the last run at the end of the data.
    const uint64_t bytes = (header >> 1) * static_cast<uint64_t>(bit_width_);
    pos_ = bytes > data_.size() - pos_ ? data_.size() : pos_ + bytes;
    group_pos_ = 8;
  } else {
    rle_ = true;
    left_ = header >> 1;
    const int n = RleValueBytes(bit_width_);
    if (data_.size() - pos_ < static_cast<size_t>(n)) {
      what_ = "RLE run value past the end of the data";
      return false;
    }
    uint32_t v = 0;
    for (int b = 0; b < n; ++b)
      v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_++])) << (8 * b);
    if (bit_width_ < 32 && (v >> bit_width_) != 0) {
      what_ = "RLE run value wider than the bit width";
      return false;
    }
    rle_value_ = v;
  }
  if (left_ == 0 && !rle_) {
    what_ = "empty bit-packed run";
    return false;
  }
  return true;
}

template <typename T>
bool RleDecoder::DecodeT(T* out, size_t n) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    what_ = "bit width above 32";
    return false;
  }
  size_t done = 0;
  while (done < n) {
    if (left_ == 0 && !NextRun()) return false;
    if (rle_) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(left_, n - done));
      std::fill(out + done, out + done + take, static_cast<T>(rle_value_));
      done += take;
      left_ -= take;
      continue;
    }
    if (group_pos_ == 8) {
      if (bit_width_ == 0) {
        std::fill(group_, group_ + 8, 0u);
        group_valid_ = 8;
      } else {
        const size_t end = pos_;  // end of this run's bytes (or of the data)
        if (packed_at_ >= end) {
          what_ = "bit-packed run past the end of the data";
          return false;
        }
        const size_t avail = std::min<size_t>(static_cast<size_t>(bit_width_), end - packed_at_);
        Unpack8(data_.substr(packed_at_, avail), bit_width_, group_);
        packed_at_ += avail;
        group_valid_ = static_cast<int>(avail * 8 / static_cast<size_t>(bit_width_));
      }
      group_pos_ = 0;
    }
    if (group_pos_ >= group_valid_) {
      what_ = "bit-packed run past the end of the data";
      return false;
    }
    while (group_pos_ < group_valid_ && done < n && left_ > 0) {
      out[done++] = static_cast<T>(group_[group_pos_++]);
      --left_;
    }
  }
  return true;
}

bool RleDecoder::Decode(uint32_t* out, size_t n) { return DecodeT(out, n); }
bool RleDecoder::Decode(uint8_t* out, size_t n) { return DecodeT(out, n); }

}  // namespace rivven::formats::parquet
