#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "record/record.h"

/// Kafka RecordBatch v2 (magic 2), the unit stored in segment files, so that a Kafka-protocol
/// listener could serve the files as they are. Layout (big-endian fixed fields):
///
///   baseOffset i64 | batchLength i32 | partitionLeaderEpoch i32 | magic i8 | crc u32 |
///   attributes i16 | lastOffsetDelta i32 | baseTimestamp i64 | maxTimestamp i64 |
///   producerId i64 | producerEpoch i16 | baseSequence i32 | recordCount i32 | records...
///
/// `crc` is CRC-32C over attributes..end; baseOffset is outside it, so the log assigns offsets by
/// patching a finished batch. Records use zigzag varints (see Kafka's DefaultRecord).
namespace rivven::embedded {

inline constexpr size_t kBatchHeaderSize = 61;
/// baseOffset + batchLength: the bytes of a batch that batchLength does not count.
inline constexpr size_t kLogOverhead = 12;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr int8_t kMagicV2 = 2;
/// The producer closes a batch once it reaches this many bytes (one big record can exceed it).
inline constexpr size_t kTargetBatchBytes = 256 << 10;
/// Framing sanity limit: a batch claiming more is treated as garbage. Segments are at most 1 GiB.
inline constexpr int64_t kMaxBatchBytes = int64_t{1} << 30;

/// The fixed fields of one batch, decoded.
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  ///< bytes after the batchLength field
  int32_t leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int32_t record_count = 0;

  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  size_t total_size() const { return kLogOverhead + static_cast<size_t>(batch_length); }
  bool is_control() const { return (attributes & 0x20) != 0; }
  int compression() const { return attributes & 0x07; }
};

enum class FrameStatus {
  kOk,          ///< the whole batch is present and its framing is plausible (CRC not checked)
  kIncomplete,  ///< fewer bytes than the header or than batchLength says
  kInvalid,     ///< not a v2 batch: wrong magic or impossible length/count; `why` says which
};

/// Reads the fixed header of the batch at `data` (`n` bytes available).
FrameStatus ParseBatchHeader(const char* data, size_t n, BatchHeader* h, std::string* why);

/// CRC-32C of attributes..end of the batch at `batch` (whose header is `h`).
uint32_t ComputeBatchCrc(const char* batch, const BatchHeader& h);

/// Overwrites the baseOffset field of an encoded batch.
void SetBaseOffset(char* batch, int64_t base_offset);

/// An allocator whose value-less construct leaves the bytes uninitialized, so a buffer that is
/// resized and then entirely overwritten is not zero-filled first.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// The producer's encode buffer (reused from send to send, never zero-filled).
using EncodeBuffer = std::vector<char, UninitializedAllocator<char>>;

/// Appends `records` to `out` as one batch with baseOffset 0 (the log patches it). Records whose
/// timestamp is 0 get `append_time`. `records` must not be empty.
void EncodeBatch(std::span<const Record* const> records, TimestampMs append_time, std::string* out);
void EncodeBatch(std::span<const Record* const> records, TimestampMs append_time,
                 EncodeBuffer* out);

/// Convenience for tests and small callers.
void EncodeBatch(std::span<const Record> records, TimestampMs append_time, std::string* out);

/// An upper bound of the bytes `r` takes inside a batch (to split large sends into batches).
size_t EncodedRecordBound(const Record& r);

/// Appends the records of a CRC-verified batch with offset >= `from` to `out`, at most
/// `max_records` (> 0) of them; `*next` becomes the offset after the last one appended (or the
/// batch's next offset when all were appended or skipped). Corruption when a record's varints or
/// lengths do not fit the batch, or the batch is compressed (unsupported). Records are taken from
/// the back of `spare` when it has some, so their strings' buffers are reused.
Status DecodeBatch(const char* batch, const BatchHeader& h, Offset from, size_t max_records,
                   const std::string& topic, int32_t partition, std::vector<ConsumedRecord>* out,
                   Offset* next, std::vector<ConsumedRecord>* spare = nullptr);

}  // namespace rivven::embedded
