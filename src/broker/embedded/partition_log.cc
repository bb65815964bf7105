#include "broker/embedded/partition_log.h"

#include <algorithm>
#include <climits>

#include "base/log.h"
#include "broker/embedded/file.h"
#include "broker/embedded/record_batch.h"

namespace rivven::embedded {
namespace {

constexpr std::string_view kLog = "broker";

Result<std::vector<int64_t>> ListSegmentBases(const std::string& dir, bool remove_temp) {
  RC_ASSIGN_OR_RETURN(auto names, ListDir(dir));
  std::vector<int64_t> bases;
  for (const auto& name : names) {
    const int64_t base = Segment::ParseLogFileName(name);
    if (base >= 0) {
      bases.push_back(base);
    } else if (remove_temp && name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      RC_RETURN_IF_ERROR(RemoveFile(dir + "/" + name));  // an interrupted atomic index write
    }
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

BatchHeader HeaderOf(const char* batch, size_t available) {
  BatchHeader h;
  std::string why;
  RC_ASSERT(ParseBatchHeader(batch, available, &h, &why) == FrameStatus::kOk);
  return h;
}

}  // namespace

Result<std::unique_ptr<PartitionLog>> PartitionLog::Open(std::string dir, std::string topic,
                                                         int32_t partition, const LogConfig& config,
                                                         bool clean_shutdown,
                                                         std::vector<std::string>* report) {
  std::unique_ptr<PartitionLog> log(
      new PartitionLog(std::move(dir), std::move(topic), partition, config));
  // A read-only view races with the owner's retention: a segment listed a moment ago may be gone.
  Status s;
  for (int attempt = 0; attempt < 3; ++attempt) {
    s = log->Recover(clean_shutdown, report);
    if (s.ok() || !config.read_only || s.code() != StatusCode::kNotFound) break;
    log->segments_.clear();
  }
  if (!s.ok()) return s.WithContext("opening partition " + log->Name());
  return log;
}

PartitionLog::~PartitionLog() {
  Status s = Close();
  if (!s.ok()) log::Error(kLog, "closing partition {}: {}", Name(), s.ToString());
}

Status PartitionLog::Recover(bool clean_shutdown, std::vector<std::string>* report) {
  auto listed = ListSegmentBases(dir_, !config_.read_only);
  if (!listed.ok() && !(config_.read_only && listed.status().code() == StatusCode::kNotFound)) {
    return listed.status();
  }
  const std::vector<int64_t> bases =
      listed.ok() ? std::move(listed).value() : std::vector<int64_t>();
  if (bases.empty()) {
    if (!config_.read_only) {
      RC_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, Offset(0)));
      RC_RETURN_IF_ERROR(SyncDir(dir_));
      segments_.push_back(std::move(seg));
    }
    return Status::Ok();
  }
  Offset expected(bases.front());
  for (size_t i = 0; i + 1 < bases.size(); ++i) {
    RC_ASSIGN_OR_RETURN(auto seg, Segment::Open(dir_, Offset(bases[i]), config_.read_only));
    if (seg->base_offset() != expected) {
      return Status::Corruption(seg->log_path() + " starts at offset " +
                                seg->base_offset().ToString() +
                                " but the segment before it ends at offset " + expected.ToString());
    }
    std::string note;
    RC_ASSIGN_OR_RETURN(expected, seg->ValidateComplete(config_.read_only, &note));
    if (!note.empty()) {
      log::Warn(kLog, "partition {}: {}", Name(), note);
      if (!config_.read_only) report->push_back("partition " + Name() + ": " + note);
    }
    segments_.push_back(std::move(seg));
  }
  return RecoverLast(Offset(bases.back()), clean_shutdown, expected, report);
}

Status PartitionLog::RecoverLast(Offset base, bool clean_shutdown, Offset expected_base,
                                 std::vector<std::string>* report) {
  RC_ASSIGN_OR_RETURN(auto seg, Segment::Open(dir_, base, config_.read_only));
  if (!segments_.empty() && seg->base_offset() != expected_base) {
    return Status::Corruption(
        seg->log_path() + " starts at offset " + seg->base_offset().ToString() +
        " but the segment before it ends at offset " + expected_base.ToString());
  }
  bool validated = false;
  Offset next = seg->base_offset();
  uint64_t valid_end = 0;
  if (clean_shutdown && !config_.read_only) {
    // The previous owner closed cleanly and wrote this index: check only the batches after its
    // last entry, and fall back to a full scan if anything is off.
    auto entries = seg->LoadIndexFile();
    if (entries.ok() && IndexPlausible(*entries, seg->size())) {
      uint64_t pos = entries->empty() ? 0 : entries->back().position;
      Offset from = seg->base_offset() + (entries->empty() ? 0 : entries->back().relative_offset);
      if (pos < seg->size()) {
        RC_ASSIGN_OR_RETURN(ScanResult tail, seg->Scan(pos, from));
        if (tail.problem.empty()) {
          for (const auto& e : tail.index) entries->push_back(e);
          seg->SetIndex(std::move(entries).value());
          next = tail.next_offset;
          valid_end = tail.valid_end;
          validated = true;
        }
      }
    }
  }
  if (!validated) {
    RC_ASSIGN_OR_RETURN(ScanResult scan, seg->Scan(0, seg->base_offset()));
    if (!scan.problem.empty() && !config_.read_only) {
      const std::string line =
          "partition " + Name() + ": " + seg->log_path() + ": cut off bytes " +
          std::to_string(scan.valid_end) + ".." + std::to_string(scan.file_size) + " (" +
          std::to_string(scan.file_size - scan.valid_end) + " bytes, records from offset " +
          scan.next_offset.ToString() + " on; " + std::to_string(scan.batches) +
          " intact batch(es) before them kept): " + scan.problem +
          (scan.torn ? " - a write torn by a crash" : "");
      log::Warn(kLog, "recovery: {}", line);
      report->push_back(line);
      RC_RETURN_IF_ERROR(seg->Truncate(scan.valid_end));
    }
    seg->SetIndex(std::move(scan.index));
    next = scan.next_offset;
    valid_end = scan.valid_end;
  }
  seg->SetValidSize(valid_end);
  if (!config_.read_only) {
    // What a crashed predecessor left in the page cache becomes durable before anyone reads it.
    RC_RETURN_IF_ERROR(seg->DataSync());
  }
  segments_.push_back(std::move(seg));
  next_offset_ = next.value();
  synced_ = next_offset_;
  scanned_end_ = valid_end;
  durable_end_.store(next_offset_, std::memory_order_release);
  return Status::Ok();
}

Status PartitionLog::Fail(Status s) {
  if (!failed_.load(std::memory_order_relaxed)) {
    failure_ = s.WithDisposition(Disposition::kFatal);
    failed_.store(true, std::memory_order_release);
    log::Error(kLog, "partition {} is failed until the broker is reopened: {}", Name(),
               s.ToString());
  }
  return failure_;
}

Status PartitionLog::failure() const {
  std::lock_guard<std::mutex> l(mu_);
  return failure_;
}

Status PartitionLog::Roll(Offset next) {
  const std::shared_ptr<Segment> old = segments_.back();
  // Every segment but the last is complete on disk: recovery relies on it.
  RC_RETURN_IF_ERROR(old->DataSync());
  RC_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, next));
  if (Status s = SyncDir(dir_); !s.ok()) {
    (void)seg->Remove();
    return s;
  }
  segments_.push_back(std::move(seg));
  if (Status s = old->Seal(); !s.ok()) {
    // Not fatal: a missing index is rebuilt on the next open.
    log::Warn(kLog, "partition {}: writing {}: {}", Name(), old->index_path(), s.ToString());
  }
  return Status::Ok();
}

Result<Offset> PartitionLog::Append(std::span<char> batches) {
  std::lock_guard<std::mutex> l(mu_);
  if (failed_.load(std::memory_order_relaxed)) return failure_;
  if (config_.read_only) return Status::FailedPrecondition("partition " + Name() + " is read-only");
  if (closed_) return Status::Cancelled("partition " + Name() + " is closed");
  const auto segment_bytes = static_cast<uint64_t>(config_.segment_bytes);
  size_t pos = 0;
  while (pos < batches.size()) {
    char* data = batches.data();
    BatchHeader h = HeaderOf(data + pos, batches.size() - pos);
    Segment* active = segments_.back().get();
    const auto fits = [&](uint64_t seg_size, size_t len, int64_t last) {
      return seg_size + len <= segment_bytes && last - active->base_offset().value() <= INT32_MAX;
    };
    if (active->size() > 0 &&
        !fits(active->size(), h.total_size(), next_offset_ + h.last_offset_delta)) {
      RC_RETURN_IF_ERROR(Roll(Offset(next_offset_)).WithContext("rolling a segment of " + Name()));
      active = segments_.back().get();
    }
    // The run of batches that goes into this segment with one write.
    const uint64_t start_size = active->size();
    size_t end = pos;
    int64_t next = next_offset_;
    while (end < batches.size()) {
      h = HeaderOf(data + end, batches.size() - end);
      if (end > pos &&
          !fits(start_size + (end - pos), h.total_size(), next + h.last_offset_delta)) {
        break;
      }
      SetBaseOffset(data + end, next);
      next += h.last_offset_delta + 1;
      end += h.total_size();
    }
    bool cut_back_failed = false;
    Status s = active->Append(data + pos, end - pos, &cut_back_failed);
    if (!s.ok()) {
      s = s.WithContext("appending to partition " + Name());
      if (cut_back_failed) return Fail(s);
      return s;
    }
    uint64_t file_pos = start_size;
    for (size_t b = pos; b < end;) {
      h = HeaderOf(data + b, end - b);
      active->MaybeIndex(Offset(h.base_offset), file_pos);
      file_pos += h.total_size();
      b += h.total_size();
    }
    next_offset_ = next;
    pos = end;
  }
  if (config_.ack_on_write) durable_end_.store(next_offset_, std::memory_order_release);
  return Offset(next_offset_);
}

void PartitionLog::StartWriteback() {
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (config_.read_only || segments_.empty() || next_offset_ <= synced_) return;
    active = segments_.back();
  }
  active->StartWriteback();
}

Status PartitionLog::Sync() {
  std::shared_ptr<Segment> active;
  int64_t target;
  uint64_t active_bytes;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (failed_.load(std::memory_order_relaxed)) return failure_;
    if (config_.read_only || next_offset_ <= synced_) return Status::Ok();
    target = next_offset_;
    // A roll since the append fdatasync'd the older segments itself.
    active = segments_.back();
    active_bytes = active->size();
  }
  Status s = active->DataSync();
  CacheReleases releases;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!s.ok()) return Fail(s.WithContext("partition " + Name()));
    synced_ = std::max(synced_, target);
    if (!config_.ack_on_write && durable_end_.load(std::memory_order_relaxed) < target) {
      durable_end_.store(target, std::memory_order_release);
    }
    releases = CacheReleasesAfterSync(*active, active_bytes);
  }
  for (const auto& r : releases) r.segment->ReleaseCacheBelow(r.end, r.complete);
  return Status::Ok();
}

PartitionLog::CacheReleases PartitionLog::CacheReleasesAfterSync(const Segment& synced,
                                                                 uint64_t synced_bytes) const {
  CacheReleases out;
  if (config_.page_cache_bytes < 0) return out;
  // Newest first from the segment just synced (a newer one, rolled since, is not synced yet):
  // the first page_cache_bytes stay cached, everything older goes. Releases happen in order, so
  // the first segment found released to its end has only released ones before it.
  auto keep = static_cast<uint64_t>(config_.page_cache_bytes);
  bool reached = false;
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    const std::shared_ptr<Segment>& segment = *it;
    if (!reached) {
      if (segment.get() != &synced) continue;
      reached = true;
    }
    const bool active = segment.get() == &synced;
    const uint64_t end = active ? synced_bytes : segment->size();
    const uint64_t kept = std::min(keep, end);
    keep -= kept;
    const uint64_t release_end = end - kept;
    if (segment->cache_released() >= end) break;
    if (release_end > segment->cache_released()) {
      out.push_back({segment, release_end, !active && kept == 0});
    }
  }
  return out;
}

Status PartitionLog::EnforceRetention(TimestampMs now, std::vector<std::string>* removed) {
  if (config_.read_only || (config_.retention_ms < 0 && config_.retention_bytes < 0)) {
    return Status::Ok();
  }
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t total = 0;
    for (const auto& s : segments_) total += s->size();
    size_t n = 0;
    while (n + 1 < segments_.size()) {  // never the active segment
      const Segment& seg = *segments_[n];
      std::string why;
      if (config_.retention_bytes >= 0 &&
          total - seg.size() >= static_cast<uint64_t>(config_.retention_bytes)) {
        why = "retention_bytes=" + std::to_string(config_.retention_bytes);
      } else if (config_.retention_ms >= 0) {
        auto mtime = seg.LastModifiedMs();
        if (mtime.ok() && now - *mtime > config_.retention_ms) {
          why = "retention_ms=" + std::to_string(config_.retention_ms) + ", last written " +
                std::to_string(now - *mtime) + " ms ago";
        }
      }
      if (why.empty()) break;
      removed->push_back("partition " + Name() + ": deleted " + seg.log_name() + " (offsets " +
                         seg.base_offset().ToString() + ".." +
                         std::to_string(segments_[n + 1]->base_offset().value() - 1) + ", " +
                         std::to_string(seg.size()) + " bytes): " + why);
      total -= seg.size();
      doomed.push_back(segments_[n]);
      ++n;
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  }
  // Oldest first: a crash in between leaves a contiguous suffix of segments.
  for (const auto& seg : doomed) RC_RETURN_IF_ERROR(seg->Remove());
  return Status::Ok();
}

Status PartitionLog::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
  }
  if (config_.read_only) return Status::Ok();
  RC_RETURN_IF_ERROR(Sync());
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (segments_.empty()) return Status::Ok();
    active = segments_.back();
  }
  return active->WriteIndexFile();
}

Offset PartitionLog::start_offset() const {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.empty() ? Offset(next_offset_) : segments_.front()->base_offset();
}

std::shared_ptr<Segment> PartitionLog::SegmentFor(Offset offset) const {
  std::lock_guard<std::mutex> l(mu_);
  if (segments_.empty()) return nullptr;
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](Offset o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
  return it == segments_.begin() ? segments_.front() : *std::prev(it);
}

std::shared_ptr<Segment> PartitionLog::NextSegment(const Segment& s) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& seg : segments_) {
    if (seg->base_offset() > s.base_offset()) return seg;
  }
  return nullptr;
}

PartitionInfo PartitionLog::Info() const {
  std::lock_guard<std::mutex> l(mu_);
  PartitionInfo info;
  info.partition = partition_;
  info.start_offset = segments_.empty() ? Offset(next_offset_) : segments_.front()->base_offset();
  info.end_offset = Offset(durable_end_.load(std::memory_order_acquire));
  for (const auto& s : segments_) info.size_bytes += static_cast<int64_t>(s->size());
  info.segments = static_cast<int32_t>(segments_.size());
  return info;
}

Status PartitionLog::Refresh() {
  if (!config_.read_only) return Status::Ok();
  std::lock_guard<std::mutex> l(mu_);
  auto listed = ListSegmentBases(dir_, false);
  if (!listed.ok())
    return listed.status().code() == StatusCode::kNotFound ? Status::Ok() : listed.status();
  const std::vector<int64_t>& bases = *listed;
  if (bases.empty()) return Status::Ok();
  // Segments the owner deleted by retention.
  while (!segments_.empty() && segments_.front()->base_offset().value() < bases.front()) {
    segments_.erase(segments_.begin());
  }
  if (segments_.empty()) {
    auto seg = Segment::Open(dir_, Offset(bases.front()), true);
    if (!seg.ok())
      return seg.status().code() == StatusCode::kNotFound ? Status::Ok() : seg.status();
    segments_.push_back(std::move(seg).value());
    next_offset_ = bases.front();
    scanned_end_ = 0;
  }
  while (true) {
    Segment& last = *segments_.back();
    RC_ASSIGN_OR_RETURN(ScanResult scan, last.Scan(scanned_end_, Offset(next_offset_)));
    last.ExtendIndex(scan.index);
    scanned_end_ = scan.valid_end;
    last.SetValidSize(scanned_end_);
    next_offset_ = scan.next_offset.value();
    // Did the owner roll past this segment?
    auto newer = std::upper_bound(bases.begin(), bases.end(), last.base_offset().value());
    if (newer == bases.end() || *newer != next_offset_) break;
    auto seg = Segment::Open(dir_, Offset(*newer), true);
    if (!seg.ok()) break;  // deleted or not yet visible; the next refresh sees it
    segments_.push_back(std::move(seg).value());
    scanned_end_ = 0;
  }
  durable_end_.store(next_offset_, std::memory_order_release);
  return Status::Ok();
}

}  // namespace rivven::embedded
