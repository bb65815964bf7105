#include "formats/parquet/delta.h"

#include "formats/parquet/rle.h"

namespace rivven::formats::parquet {

bool DeltaBinaryPackedDecoder::Uleb(uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      what_ = "DELTA_BINARY_PACKED data ends early";
      return false;
    }
    const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    *v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  what_ = "DELTA_BINARY_PACKED varint too long";
  return false;
}

bool DeltaBinaryPackedDecoder::DecodeAll(size_t max_values, std::vector<int64_t>* out) {
  uint64_t block_size, miniblocks, total, first_zz;
  if (!Uleb(&block_size) || !Uleb(&miniblocks) || !Uleb(&total) || !Uleb(&first_zz)) return false;
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    what_ = "DELTA_BINARY_PACKED header has an invalid block layout";
    return false;
  }
  if (total > max_values) {
    what_ = "DELTA_BINARY_PACKED claims more values than the page";
    return false;
  }
  if (total == 0) return true;
  const uint64_t per_miniblock = block_size / miniblocks;
  uint64_t value = static_cast<uint64_t>(static_cast<int64_t>(first_zz >> 1) ^
                                         -static_cast<int64_t>(first_zz & 1));
  out->reserve(out->size() + total);
  out->push_back(static_cast<int64_t>(value));
  uint64_t left = total - 1;
  uint32_t group[8];
  while (left > 0) {
    uint64_t min_zz;
    if (!Uleb(&min_zz)) return false;
    const uint64_t min_delta = static_cast<uint64_t>(static_cast<int64_t>(min_zz >> 1) ^
                                                     -static_cast<int64_t>(min_zz & 1));
    if (data_.size() - pos_ < miniblocks) {
      what_ = "DELTA_BINARY_PACKED bit widths past the end";
      return false;
    }
    const std::string_view widths = data_.substr(pos_, miniblocks);
    pos_ += miniblocks;
    for (uint64_t m = 0; m < miniblocks && left > 0; ++m) {
      const int width = static_cast<uint8_t>(widths[m]);
      if (width > 64) {
        what_ = "DELTA_BINARY_PACKED bit width above 64";
        return false;
      }
      const uint64_t bytes = per_miniblock * static_cast<uint64_t>(width) / 8;
      if (data_.size() - pos_ < bytes) {
        what_ = "DELTA_BINARY_PACKED miniblock past the end";
        return false;
      }
      const char* p = data_.data() + pos_;
      for (uint64_t i = 0; i < per_miniblock && left > 0; ++i) {
        uint64_t delta = 0;
        if (width > 32) {
          // Wide deltas (INT64 with large jumps): read bit by bit from the miniblock's bytes.
          const uint64_t bit = i * static_cast<uint64_t>(width);
          for (int b = 0; b < width; ++b) {
            const uint64_t at = bit + static_cast<uint64_t>(b);
            delta |= static_cast<uint64_t>((static_cast<uint8_t>(p[at / 8]) >> (at % 8)) & 1) << b;
          }
        } else {
          if (i % 8 == 0) {
            Unpack8(std::string_view(p + (i / 8) * static_cast<uint64_t>(width),
                                     static_cast<size_t>(width)),
                    width, group);
          }
          delta = group[i % 8];
        }
        value += min_delta + delta;
        out->push_back(static_cast<int64_t>(value));
        --left;
      }
      pos_ += bytes;
    }
  }
  return true;
}

bool DecodeDeltaLengthByteArray(std::string_view data, size_t n, std::vector<std::string_view>* out,
                                const char** what) {
  DeltaBinaryPackedDecoder lengths_decoder(data);
  std::vector<int64_t> lengths;
  if (!lengths_decoder.DecodeAll(n, &lengths)) {
    *what = lengths_decoder.what();
    return false;
  }
  if (lengths.size() != n) {
    *what = "DELTA_LENGTH_BYTE_ARRAY holds fewer lengths than values";
    return false;
  }
  size_t pos = lengths_decoder.position();
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > data.size() - pos) {
      *what = "DELTA_LENGTH_BYTE_ARRAY value past the end";
      return false;
    }
    out->push_back(data.substr(pos, static_cast<size_t>(len)));
    pos += static_cast<size_t>(len);
  }
  return true;
}

bool DecodeDeltaByteArray(std::string_view data, size_t n, std::string* arena,
                          std::vector<std::string_view>* out, const char** what) {
  DeltaBinaryPackedDecoder prefix_decoder(data);
  std::vector<int64_t> prefixes;
  if (!prefix_decoder.DecodeAll(n, &prefixes)) {
    *what = prefix_decoder.what();
    return false;
  }
  if (prefixes.size() != n) {
    *what = "DELTA_BYTE_ARRAY holds fewer prefix lengths than values";
    return false;
  }
  std::vector<std::string_view> suffixes;
  if (!DecodeDeltaLengthByteArray(data.substr(prefix_decoder.position()), n, &suffixes, what)) {
    return false;
  }
  // A value repeats up to the whole previous value as its prefix, so n values may expand far
  // beyond the page: the arena is capped.
  arena->clear();
  std::vector<std::pair<size_t, size_t>> spans;
  spans.reserve(n);
  size_t prev_at = 0, prev_len = 0;
  constexpr size_t kMaxArena = size_t{256} << 20;
  for (size_t i = 0; i < n; ++i) {
    const int64_t prefix = prefixes[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > prev_len) {
      *what = "DELTA_BYTE_ARRAY prefix longer than the previous value";
      return false;
    }
    const size_t at = arena->size();
    if (at + static_cast<size_t>(prefix) + suffixes[i].size() > kMaxArena) {
      *what = "DELTA_BYTE_ARRAY values exceed 256 MiB";
      return false;
    }
    arena->append(*arena, prev_at, static_cast<size_t>(prefix));
    arena->append(suffixes[i]);
    prev_at = at;
    prev_len = arena->size() - at;
    spans.emplace_back(at, prev_len);
  }
  for (const auto& [at, len] : spans) out->push_back(std::string_view(*arena).substr(at, len));
  return true;
}

}  // namespace rivven::formats::parquet
