#include "broker/embedded/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "broker/embedded/record_batch.h"

namespace rivven::embedded {
namespace {

constexpr size_t kScanChunk = 1 << 20;

uint32_t GetBe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
void PutBe32(std::string* out, uint32_t v) {
  v = __builtin_bswap32(v);
  out->append(reinterpret_cast<const char*>(&v), 4);
}

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

bool IndexPlausible(const std::vector<IndexEntry>& entries, uint64_t log_size) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].position >= log_size) return false;
    if (i > 0 && (entries[i].relative_offset <= entries[i - 1].relative_offset ||
                  entries[i].position <= entries[i - 1].position)) {
      return false;
    }
  }
  return true;
}

namespace {

uint64_t Search(const std::vector<IndexEntry>& entries, int64_t relative) {
  // Last entry with relative_offset <= relative.
  auto it = std::upper_bound(entries.begin(), entries.end(), relative,
                             [](int64_t r, const IndexEntry& e) { return r < e.relative_offset; });
  if (it == entries.begin()) return 0;
  return std::prev(it)->position;
}

}  // namespace

std::string Segment::FileName(Offset base, const char* extension) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%020" PRId64 "%s", base.value(), extension);
  return buf;
}

int64_t Segment::ParseLogFileName(const std::string& name) {
  if (name.size() != 24 || name.compare(20, 4, ".log") != 0) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

Result<std::shared_ptr<Segment>> Segment::Create(const std::string& dir, Offset base) {
  const std::string log_path = dir + "/" + FileName(base, ".log");
  RC_ASSIGN_OR_RETURN(File f, File::Open(log_path, O_RDWR | O_CREAT | O_EXCL));
  const std::string index_path = dir + "/" + FileName(base, ".index");
  RC_RETURN_IF_ERROR(RemoveFile(index_path));  // a stale index of an earlier life
  return std::shared_ptr<Segment>(new Segment(std::move(f), index_path, base));
}

Result<std::shared_ptr<Segment>> Segment::Open(const std::string& dir, Offset base,
                                               bool read_only) {
  RC_ASSIGN_OR_RETURN(
      File f, File::Open(dir + "/" + FileName(base, ".log"), read_only ? O_RDONLY : O_RDWR));
  RC_ASSIGN_OR_RETURN(uint64_t size, f.Size());
  std::shared_ptr<Segment> s(new Segment(std::move(f), dir + "/" + FileName(base, ".index"), base));
  s->size_.store(size);
  return s;
}

Result<ScanResult> Segment::Scan(uint64_t from_pos, Offset from) const {
  ScanResult r;
  RC_ASSIGN_OR_RETURN(r.file_size, log_.Size());
  std::vector<char> buf;        // sized on first read: a read-only view re-scans small tails often
  uint64_t buf_pos = from_pos;  // file position of buf[0]
  size_t buf_len = 0;
  uint64_t pos = from_pos;
  uint64_t last_indexed = from_pos;
  Offset next = from;
  std::string why;
  while (pos < r.file_size) {
    const size_t remaining = static_cast<size_t>(r.file_size - pos);
    BatchHeader h;
    FrameStatus fs = FrameStatus::kIncomplete;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const size_t in_buf =
          buf_pos + buf_len > pos ? static_cast<size_t>(buf_pos + buf_len - pos) : 0;
      fs = ParseBatchHeader(in_buf > 0 ? buf.data() + (pos - buf_pos) : buf.data(), in_buf, &h,
                            &why);
      if (fs != FrameStatus::kIncomplete || in_buf == remaining) break;
      // Refill from `pos`, large enough for the whole batch when its header is known.
      size_t want = std::max(kScanChunk, in_buf >= kBatchHeaderSize ? h.total_size() : size_t{0});
      want = std::min(want, remaining);
      if (buf.size() < want) buf.resize(want);
      size_t got = 0;
      RC_RETURN_IF_ERROR(log_.ReadAt(pos, buf.data(), want, &got));
      buf_pos = pos;
      buf_len = got;
      if (got < want) break;  // the file shrank under us (a read-only view of a live log)
    }
    if (fs == FrameStatus::kIncomplete) {
      r.torn = true;
      r.problem = remaining < kBatchHeaderSize
                      ? "incomplete batch header at byte " + std::to_string(pos) + " (" +
                            std::to_string(remaining) + " of " + std::to_string(kBatchHeaderSize) +
                            " bytes present)"
                      : "incomplete batch at byte " + std::to_string(pos) + " (" +
                            std::to_string(remaining) + " of " + std::to_string(h.total_size()) +
                            " bytes present)";
      break;
    }
    if (fs == FrameStatus::kInvalid) {
      r.problem = "invalid batch at byte " + std::to_string(pos) + ": " + why;
      break;
    }
    const char* batch = buf.data() + (pos - buf_pos);
    if (h.base_offset != next.value()) {
      r.problem = "batch at byte " + std::to_string(pos) + " has base offset " +
                  std::to_string(h.base_offset) + ", expected " + next.ToString();
      break;
    }
    const uint32_t crc = ComputeBatchCrc(batch, h);
    if (crc != h.crc) {
      r.problem = "CRC mismatch in batch at byte " + std::to_string(pos) + " (offsets " +
                  std::to_string(h.base_offset) + ".." + std::to_string(h.last_offset()) +
                  "): stored " + Hex(h.crc) + ", computed " + Hex(crc);
      break;
    }
    if (pos - last_indexed >= kIndexIntervalBytes) {
      r.index.push_back(
          {static_cast<uint32_t>(h.base_offset - base_.value()), static_cast<uint32_t>(pos)});
      last_indexed = pos;
    }
    next = Offset(h.next_offset());
    pos += h.total_size();
    ++r.batches;
  }
  r.valid_end = pos;
  r.next_offset = next;
  return r;
}

Result<std::vector<IndexEntry>> Segment::LoadIndexFile() const {
  RC_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(index_path_));
  if (bytes.size() % 8 != 0) {
    return Status::Corruption(index_path_ + " has " + std::to_string(bytes.size()) +
                              " bytes, not a multiple of 8");
  }
  std::vector<IndexEntry> entries(bytes.size() / 8);
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].relative_offset = GetBe32(bytes.data() + i * 8);
    entries[i].position = GetBe32(bytes.data() + i * 8 + 4);
  }
  return entries;
}

Result<Offset> Segment::ValidateComplete(bool read_only, std::string* index_note) {
  RC_ASSIGN_OR_RETURN(const uint64_t file_size, log_.Size());
  auto entries = LoadIndexFile();
  if (entries.ok() && IndexPlausible(*entries, file_size)) {
    uint64_t pos = 0;
    Offset from = base_;
    if (!entries->empty()) {
      pos = entries->back().position;
      from = base_ + entries->back().relative_offset;
    }
    RC_ASSIGN_OR_RETURN(ScanResult tail, Scan(pos, from));
    if (tail.problem.empty()) {
      size_.store(file_size, std::memory_order_release);
      return tail.next_offset;
    }
    // The index may be stale; the full scan below decides.
  }
  RC_ASSIGN_OR_RETURN(ScanResult full, Scan(0, base_));
  if (!full.problem.empty()) {
    return Status::Corruption(log_.path() + " is damaged before its end (" + full.problem + "; " +
                              std::to_string(file_size - full.valid_end) +
                              " bytes follow); it is not the last segment, so its tail cannot be "
                              "a torn write. Move the damaged partition directory away or restore "
                              "it from a backup");
  }
  const std::string why =
      entries.ok() ? std::string("it did not match the log") : entries.status().message();
  SetIndex(std::move(full.index));
  if (read_only) {
    *index_note = "index " + index_path_ + " is unusable (" + why + "); using one built in memory";
  } else {
    RC_RETURN_IF_ERROR(Seal());
    *index_note = "rebuilt " + index_path_ + " from the log (" + why + ")";
  }
  size_.store(file_size, std::memory_order_release);
  return full.next_offset;
}

void Segment::SetIndex(std::vector<IndexEntry> entries) {
  std::lock_guard<std::mutex> l(index_mu_);
  index_ = std::move(entries);
  last_indexed_pos_ = index_.empty() ? 0 : index_.back().position;
  sealed_ = false;
}

void Segment::ExtendIndex(const std::vector<IndexEntry>& entries) {
  std::lock_guard<std::mutex> l(index_mu_);
  for (const auto& e : entries) {
    if (!index_.empty() && (e.relative_offset <= index_.back().relative_offset ||
                            e.position <= index_.back().position)) {
      continue;
    }
    index_.push_back(e);
    last_indexed_pos_ = e.position;
  }
}

Status Segment::Append(const char* data, size_t n, bool* cut_back_failed) {
  const uint64_t pos = size_.load(std::memory_order_relaxed);
  Status s = log_.WriteAt(pos, data, n);
  if (!s.ok()) {
    // Cut the partial write so the file ends at a batch boundary again. If even that fails, the
    // caller stops appending to this segment; the stray bytes are past every watermark and
    // recovery cuts them on the next open.
    Status t = log_.Truncate(pos);
    if (!t.ok()) {
      *cut_back_failed = true;
      return Status::Error(s.code(),
                           s.message() + " (and cutting it back failed: " + t.message() + ")",
                           Disposition::kFatal);
    }
    return s;
  }
  size_.store(pos + n, std::memory_order_release);
  return Status::Ok();
}

void Segment::MaybeIndex(Offset batch_base, uint64_t position) {
  std::lock_guard<std::mutex> l(index_mu_);
  if (position - last_indexed_pos_ < kIndexIntervalBytes) return;
  index_.push_back({static_cast<uint32_t>(batch_base - base_), static_cast<uint32_t>(position)});
  last_indexed_pos_ = position;
}

void Segment::StartWriteback() const {
  (void)::sync_file_range(log_.fd(), 0, 0, SYNC_FILE_RANGE_WRITE);
}

void Segment::ReleaseCacheBelow(uint64_t end, bool complete) {
  // The page cache holds large folios (up to 512 pages on Linux 6.x with ext4/xfs), naturally
  // aligned; DONTNEED skips a folio that is only partly inside the range, and a skipped one
  // would never be advised again. Ranges that start and end on such a boundary never split one.
  static const uint64_t kAlign = 512 * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t from = cache_released_.load(std::memory_order_relaxed);
  if (complete) {
    if (from == UINT64_MAX) return;
    (void)::posix_fadvise(log_.fd(), static_cast<off_t>(from), 0, POSIX_FADV_DONTNEED);  // to EOF
    cache_released_.store(UINT64_MAX, std::memory_order_relaxed);
    return;
  }
  end -= end % kAlign;
  if (end <= from) return;
  (void)::posix_fadvise(log_.fd(), static_cast<off_t>(from), static_cast<off_t>(end - from),
                        POSIX_FADV_DONTNEED);
  cache_released_.store(end, std::memory_order_relaxed);
}

Status Segment::Truncate(uint64_t size) {
  RC_RETURN_IF_ERROR(log_.Truncate(size));
  RC_RETURN_IF_ERROR(log_.DataSync());
  size_.store(size, std::memory_order_release);
  return Status::Ok();
}

std::string Segment::EncodeIndex(const std::vector<IndexEntry>& entries) const {
  std::string out;
  out.reserve(entries.size() * 8);
  for (const auto& e : entries) {
    PutBe32(&out, e.relative_offset);
    PutBe32(&out, e.position);
  }
  return out;
}

Status Segment::WriteIndexFile() const {
  std::string bytes;
  {
    std::lock_guard<std::mutex> l(index_mu_);
    bytes = EncodeIndex(index_);
  }
  return WriteFileAtomically(index_path_, bytes);
}

Status Segment::Seal() {
  RC_RETURN_IF_ERROR(WriteIndexFile());
  std::lock_guard<std::mutex> l(index_mu_);
  index_.clear();
  index_.shrink_to_fit();
  sealed_ = true;
  return Status::Ok();
}

uint64_t Segment::Lookup(Offset offset) const {
  const int64_t relative = offset - base_;
  if (relative <= 0) return 0;
  {
    std::lock_guard<std::mutex> l(index_mu_);
    if (!sealed_) return Search(index_, relative);
  }
  auto entries = LoadIndexFile();
  if (!entries.ok() || !IndexPlausible(*entries, size())) return 0;  // scan from the start
  return Search(*entries, relative);
}

Result<TimestampMs> Segment::LastModifiedMs() const {
  struct stat st;
  if (::fstat(log_.fd(), &st) != 0) return Status::FromErrno(errno, "stat " + log_.path());
  return static_cast<TimestampMs>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Status Segment::Remove() const {
  RC_RETURN_IF_ERROR(RemoveFile(log_.path()));
  return RemoveFile(index_path_);
}

}  // namespace rivven::embedded
