#include "broker/embedded/record_batch.h"

#include <algorithm>

#include <cstring>

#include "broker/embedded/crc32c.h"

namespace rivven::embedded {
namespace {

inline void PutBe16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
inline void PutBe32(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void PutBe64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline uint16_t GetBe16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline uint32_t GetBe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t GetBe64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline size_t VarSize(int64_t v) {
  uint64_t u = ZigZag(v);
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

inline char* PutVar(char* p, int64_t v) {
  uint64_t u = ZigZag(v);
  while (u >= 0x80) {
    *p++ = static_cast<char>((u & 0x7F) | 0x80);
    u >>= 7;
  }
  *p++ = static_cast<char>(u);
  return p;
}

inline char* PutBytes(char* p, const char* data, size_t n) {
  if (n > 0) std::memcpy(p, data, n);
  return p + n;
}

/// Sequential reader of the records section; every read is bounds-checked.
class Cursor {
 public:
  Cursor(const char* p, const char* end) : p_(p), end_(end) {}
  bool Var(int64_t* v) {
    uint64_t u = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return false;
      const auto b = static_cast<uint8_t>(*p_++);
      u |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *v = UnZigZag(u);
        return true;
      }
    }
    return false;
  }
  bool Byte(int8_t* v) {
    if (p_ >= end_) return false;
    *v = static_cast<int8_t>(*p_++);
    return true;
  }
  /// A length-prefixed byte string; length -1 is null.
  bool Bytes(std::optional<std::string>* out) {
    int64_t len;
    if (!Var(&len) || len < -1 || len > end_ - p_) return false;
    if (len < 0) {
      out->reset();
    } else if (out->has_value()) {
      (*out)->assign(p_, static_cast<size_t>(len));  // keeps a reused string's buffer
      p_ += len;
    } else {
      out->emplace(p_, static_cast<size_t>(len));
      p_ += len;
    }
    return true;
  }
  bool Skip(int64_t n) {
    if (n < 0 || n > end_ - p_) return false;
    p_ += n;
    return true;
  }
  const char* pos() const { return p_; }

 private:
  const char* p_;
  const char* end_;
};

inline TimestampMs Resolve(TimestampMs ts, TimestampMs append_time) {
  return ts == 0 ? append_time : ts;
}

inline size_t BodySize(const Record& r, int64_t ts_delta, int32_t offset_delta) {
  size_t n = 1 + VarSize(ts_delta) + VarSize(offset_delta);
  n += r.key ? VarSize(static_cast<int64_t>(r.key->size())) + r.key->size() : 1;
  n += r.value ? VarSize(static_cast<int64_t>(r.value->size())) + r.value->size() : 1;
  n += VarSize(static_cast<int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    n += VarSize(static_cast<int64_t>(h.key.size())) + h.key.size();
    n += VarSize(static_cast<int64_t>(h.value.size())) + h.value.size();
  }
  return n;
}

}  // namespace

FrameStatus ParseBatchHeader(const char* data, size_t n, BatchHeader* h, std::string* why) {
  if (n < kBatchHeaderSize) return FrameStatus::kIncomplete;
  h->base_offset = static_cast<int64_t>(GetBe64(data));
  h->batch_length = static_cast<int32_t>(GetBe32(data + 8));
  h->leader_epoch = static_cast<int32_t>(GetBe32(data + 12));
  h->magic = static_cast<int8_t>(data[16]);
  h->crc = GetBe32(data + kCrcOffset);
  h->attributes = static_cast<int16_t>(GetBe16(data + kAttributesOffset));
  h->last_offset_delta = static_cast<int32_t>(GetBe32(data + 23));
  h->base_timestamp = static_cast<int64_t>(GetBe64(data + 27));
  h->max_timestamp = static_cast<int64_t>(GetBe64(data + 35));
  h->record_count = static_cast<int32_t>(GetBe32(data + 57));
  if (h->magic != kMagicV2) {
    *why = "magic byte is " + std::to_string(h->magic) + ", not 2";
    return FrameStatus::kInvalid;
  }
  if (h->batch_length < static_cast<int32_t>(kBatchHeaderSize - kLogOverhead) ||
      h->batch_length > kMaxBatchBytes) {
    *why = "batch length " + std::to_string(h->batch_length) + " is impossible";
    return FrameStatus::kInvalid;
  }
  if (h->record_count < 0 || h->last_offset_delta < 0 || h->base_offset < 0 ||
      (h->record_count > 0 && h->last_offset_delta < h->record_count - 1)) {
    *why = "record count " + std::to_string(h->record_count) + " / last offset delta " +
           std::to_string(h->last_offset_delta) + " / base offset " +
           std::to_string(h->base_offset) + " are inconsistent";
    return FrameStatus::kInvalid;
  }
  if (n < h->total_size()) return FrameStatus::kIncomplete;
  return FrameStatus::kOk;
}

uint32_t ComputeBatchCrc(const char* batch, const BatchHeader& h) {
  return Crc32c(batch + kAttributesOffset, h.total_size() - kAttributesOffset);
}

void SetBaseOffset(char* batch, int64_t base_offset) {
  PutBe64(batch, static_cast<uint64_t>(base_offset));
}

size_t EncodedRecordBound(const Record& r) {
  // Varints of int32 lengths take at most 5 bytes, timestamp/offset deltas at most 10.
  size_t n = 5 + 1 + 10 + 5 + 5 + 5 + 5;
  if (r.key) n += r.key->size();
  if (r.value) n += r.value->size();
  for (const auto& h : r.headers) n += 10 + h.key.size() + h.value.size();
  return n;
}

namespace {

template <typename Buffer>
void EncodeBatchInto(std::span<const Record* const> records, TimestampMs append_time,
                     Buffer* out) {
  RC_ASSERT(!records.empty());
  const TimestampMs base_ts = Resolve(records[0]->timestamp_ms, append_time);
  TimestampMs max_ts = base_ts;
  size_t records_size = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = *records[i];
    const TimestampMs ts = Resolve(r.timestamp_ms, append_time);
    if (ts > max_ts) max_ts = ts;
    const size_t body = BodySize(r, ts - base_ts, static_cast<int32_t>(i));
    records_size += VarSize(static_cast<int64_t>(body)) + body;
  }
  const size_t start = out->size();
  const size_t total = kBatchHeaderSize + records_size;
  out->resize(start + total);
  char* b = out->data() + start;
  PutBe64(b, 0);                                                // baseOffset
  PutBe32(b + 8, static_cast<uint32_t>(total - kLogOverhead));  // batchLength
  PutBe32(b + 12, 0);                                           // partitionLeaderEpoch
  b[16] = kMagicV2;
  PutBe16(b + kAttributesOffset, 0);  // no compression, CreateTime, not transactional
  PutBe32(b + 23, static_cast<uint32_t>(records.size() - 1));  // lastOffsetDelta
  PutBe64(b + 27, static_cast<uint64_t>(base_ts));
  PutBe64(b + 35, static_cast<uint64_t>(max_ts));
  PutBe64(b + 43, static_cast<uint64_t>(int64_t{-1}));  // producerId
  PutBe16(b + 51, static_cast<uint16_t>(-1));           // producerEpoch
  PutBe32(b + 53, static_cast<uint32_t>(-1));           // baseSequence
  PutBe32(b + 57, static_cast<uint32_t>(records.size()));
  char* p = b + kBatchHeaderSize;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = *records[i];
    const int64_t ts_delta = Resolve(r.timestamp_ms, append_time) - base_ts;
    const size_t body = BodySize(r, ts_delta, static_cast<int32_t>(i));
    p = PutVar(p, static_cast<int64_t>(body));
    *p++ = 0;  // record attributes (unused in v2)
    p = PutVar(p, ts_delta);
    p = PutVar(p, static_cast<int64_t>(i));
    if (r.key) {
      p = PutVar(p, static_cast<int64_t>(r.key->size()));
      p = PutBytes(p, r.key->data(), r.key->size());
    } else {
      p = PutVar(p, -1);
    }
    if (r.value) {
      p = PutVar(p, static_cast<int64_t>(r.value->size()));
      p = PutBytes(p, r.value->data(), r.value->size());
    } else {
      p = PutVar(p, -1);
    }
    p = PutVar(p, static_cast<int64_t>(r.headers.size()));
    for (const auto& h : r.headers) {
      p = PutVar(p, static_cast<int64_t>(h.key.size()));
      p = PutBytes(p, h.key.data(), h.key.size());
      p = PutVar(p, static_cast<int64_t>(h.value.size()));
      p = PutBytes(p, h.value.data(), h.value.size());
    }
  }
  RC_ASSERT(p == b + total);
  PutBe32(b + kCrcOffset, Crc32c(b + kAttributesOffset, total - kAttributesOffset));
}

}  // namespace

void EncodeBatch(std::span<const Record* const> records, TimestampMs append_time,
                 std::string* out) {
  EncodeBatchInto(records, append_time, out);
}

void EncodeBatch(std::span<const Record* const> records, TimestampMs append_time,
                 EncodeBuffer* out) {
  EncodeBatchInto(records, append_time, out);
}

void EncodeBatch(std::span<const Record> records, TimestampMs append_time, std::string* out) {
  std::vector<const Record*> ptrs;
  ptrs.reserve(records.size());
  for (const auto& r : records) ptrs.push_back(&r);
  EncodeBatch(std::span<const Record* const>(ptrs), append_time, out);
}

Status DecodeBatch(const char* batch, const BatchHeader& h, Offset from, size_t max_records,
                   const std::string& topic, int32_t partition, std::vector<ConsumedRecord>* out,
                   Offset* next, std::vector<ConsumedRecord>* spare) {
  RC_ASSERT(max_records > 0);
  *next = Offset(h.next_offset());
  if (h.is_control() || h.last_offset() < from.value()) return Status::Ok();
  if (h.compression() != 0) {
    return Status::Corruption("batch at offset " + std::to_string(h.base_offset) +
                              " is compressed (codec " + std::to_string(h.compression()) +
                              "), which the embedded log does not write or read");
  }
  const bool log_append_time = (h.attributes & 0x08) != 0;
  auto bad = [&](int32_t i) {
    return Status::Corruption("record " + std::to_string(i) + " of the batch at offset " +
                              std::to_string(h.base_offset) + " is malformed");
  };
  Cursor c(batch + kBatchHeaderSize, batch + h.total_size());
  size_t appended = 0;
  out->reserve(out->size() + std::min(static_cast<size_t>(std::max(h.record_count, 0)), max_records));
  for (int32_t i = 0; i < h.record_count; ++i) {
    int64_t len;
    if (!c.Var(&len) || len < 0) return bad(i);
    const char* record_end = c.pos() + len;
    Cursor rc(c.pos(), record_end);
    if (!c.Skip(len)) return bad(i);
    int8_t attributes;
    int64_t ts_delta, offset_delta;
    if (!rc.Byte(&attributes) || !rc.Var(&ts_delta) || !rc.Var(&offset_delta)) return bad(i);
    const int64_t offset = h.base_offset + offset_delta;
    if (offset < from.value()) continue;
    if (appended == max_records) {
      *next = Offset(offset);
      return Status::Ok();
    }
    if (spare != nullptr && !spare->empty()) {
      out->push_back(std::move(spare->back()));
      spare->pop_back();
    } else {
      out->emplace_back();
    }
    ConsumedRecord& cr = out->back();
    cr.record.topic.clear();
    cr.topic = topic;
    cr.partition = partition;
    cr.offset = Offset(offset);
    cr.record.timestamp_ms = log_append_time ? h.max_timestamp : h.base_timestamp + ts_delta;
    int64_t header_count;
    if (!rc.Bytes(&cr.record.key) || !rc.Bytes(&cr.record.value) || !rc.Var(&header_count) ||
        header_count < 0 || header_count > record_end - rc.pos()) {
      out->pop_back();
      return bad(i);
    }
    cr.record.headers.resize(static_cast<size_t>(header_count));
    for (auto& hdr : cr.record.headers) {
      std::optional<std::string> k, v;
      if (!rc.Bytes(&k) || !rc.Bytes(&v) || !k) {
        out->pop_back();
        return bad(i);
      }
      hdr.key = std::move(*k);
      if (v) {
        hdr.value = std::move(*v);
      } else {
        hdr.value.clear();
      }
    }
    ++appended;
  }
  return Status::Ok();
}

}  // namespace rivven::embedded
