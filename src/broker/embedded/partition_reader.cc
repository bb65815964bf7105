#include "broker/embedded/partition_reader.h"

#include <algorithm>

#include "base/log.h"
#include "broker/embedded/partition_log.h"
#include "broker/embedded/record_batch.h"
#include "broker/embedded/segment.h"

namespace rivven::embedded {
namespace {

/// Read-ahead size: large enough that sequential consumption costs one pread per ~1,500 small
/// records, small enough that a consumer of many partitions stays within a few MB.
constexpr size_t kReadChunk = 256 << 10;

}  // namespace

PartitionReader::PartitionReader(PartitionLog* log, Offset next) : log_(log), next_(next) {}

PartitionReader::~PartitionReader() = default;

void PartitionReader::Seek(Offset offset) {
  next_ = offset;
  seg_.reset();
  buf_len_ = 0;
  verified_pos_ = -1;
}

bool PartitionReader::HasData() const { return log_->durable_end() > next_; }

Result<bool> PartitionReader::Fill(size_t need) {
  const uint64_t buf_end = buf_pos_ + buf_len_;
  if (pos_ >= buf_pos_ && pos_ + need <= buf_end) return true;
  const uint64_t seg_size = seg_->size();
  if (pos_ + need > seg_size) return false;
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(std::max(need, kReadChunk), seg_size - pos_));
  if (buf_.size() < want) buf_.resize(std::max(want, kReadChunk));
  size_t got = 0;
  RC_RETURN_IF_ERROR(seg_->ReadAt(pos_, buf_.data(), want, &got));
  buf_pos_ = pos_;
  buf_len_ = got;
  return got >= need;
}

Result<size_t> PartitionReader::Read(size_t max_records, std::vector<ConsumedRecord>* out,
                                     std::vector<ConsumedRecord>* spare) {
  if (log_->read_only() && !HasData()) RC_RETURN_IF_ERROR(log_->Refresh());
  const Offset end = log_->durable_end();
  if (next_ >= end) return size_t{0};
  const Offset start = log_->start_offset();
  if (next_ < start) {
    log::Warn("broker",
              "partition {}/{}: offsets {}..{} were deleted by retention before being read; "
              "continuing at {}",
              log_->topic(), log_->partition(), next_.value(), start.value() - 1, start.value());
    Seek(start);
  }
  if (!seg_) {
    seg_ = log_->SegmentFor(next_);
    if (!seg_) return size_t{0};
    pos_ = seg_->Lookup(next_);
    buf_len_ = 0;
    verified_pos_ = -1;
  }
  size_t appended = 0;
  std::string why;
  while (appended < max_records && next_ < end) {
    if (pos_ >= seg_->size()) {
      auto newer = log_->NextSegment(*seg_);
      if (!newer) break;
      seg_ = std::move(newer);
      pos_ = 0;
      buf_len_ = 0;
      verified_pos_ = -1;
      continue;
    }
    RC_ASSIGN_OR_RETURN(bool have_header, Fill(kBatchHeaderSize));
    if (!have_header) break;
    BatchHeader h;
    FrameStatus fs =
        ParseBatchHeader(buf_.data() + (pos_ - buf_pos_), buf_len_ - (pos_ - buf_pos_), &h, &why);
    if (fs == FrameStatus::kInvalid) {
      return Status::Corruption(seg_->log_path() + ": invalid batch at byte " +
                                std::to_string(pos_) + ": " + why);
    }
    if (h.base_offset >= end.value()) break;  // written but not yet durable
    if (fs == FrameStatus::kIncomplete) {
      RC_ASSIGN_OR_RETURN(bool have_batch, Fill(h.total_size()));
      if (!have_batch) break;
    }
    if (h.last_offset() < next_.value()) {  // before the position we look for
      pos_ += h.total_size();
      continue;
    }
    const char* batch = buf_.data() + (pos_ - buf_pos_);
    if (verified_pos_ != static_cast<int64_t>(pos_)) {
      if (ComputeBatchCrc(batch, h) != h.crc) {
        return Status::Corruption(seg_->log_path() + ": CRC mismatch in batch at byte " +
                                  std::to_string(pos_) + " (offsets " +
                                  std::to_string(h.base_offset) + ".." +
                                  std::to_string(h.last_offset()) + ")");
      }
      verified_pos_ = static_cast<int64_t>(pos_);
    }
    const size_t before = out->size();
    Offset after;
    RC_RETURN_IF_ERROR(DecodeBatch(batch, h, next_, max_records - appended, log_->topic(),
                                   log_->partition(), out, &after, spare)
                           .WithContext(seg_->log_path() + " byte " + std::to_string(pos_)));
    appended += out->size() - before;
    next_ = after;
    if (next_.value() >= h.next_offset()) pos_ += h.total_size();
  }
  if (buf_.size() > 4 * kReadChunk) {  // after one huge batch, give the memory back
    std::vector<char>().swap(buf_);
    buf_len_ = 0;
  }
  return appended;
}

}  // namespace rivven::embedded
