#include "broker/embedded/offsets_store.h"

#include <fcntl.h>

#include <cinttypes>
#include <cstdio>

#include "base/clock.h"
#include "base/log.h"
#include "broker/embedded/record_batch.h"

namespace rivven::embedded {
namespace {

constexpr char kOffsetKind = 'o';
constexpr char kCheckpointKind = 'c';

std::string OffsetKeyPrefix(const std::string& group, const std::string& topic) {
  std::string k;
  k.reserve(group.size() + topic.size() + 16);
  k += kOffsetKind;
  k += '\0';
  k += group;
  k += '\0';
  k += topic;
  k += '\0';
  return k;
}

std::string OffsetKey(const std::string& group, const std::string& topic, int32_t partition) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%010" PRId32, partition);  // sorts numerically
  return OffsetKeyPrefix(group, topic) + digits;
}

std::string CheckpointKey(const std::string& source) {
  std::string k(1, kCheckpointKind);
  k += '\0';
  k += source;
  return k;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

}  // namespace

Result<std::unique_ptr<OffsetsStore>> OffsetsStore::Open(const std::string& path, bool read_only,
                                                         std::vector<std::string>* report,
                                                         uint64_t compact_min_bytes) {
  std::unique_ptr<OffsetsStore> store(new OffsetsStore(path, read_only, compact_min_bytes));
  if (!read_only) (void)RemoveFile(path + ".tmp");  // an interrupted compaction
  auto f = File::Open(path, read_only ? O_RDONLY : (O_RDWR | O_CREAT));
  if (!f.ok()) {
    if (read_only && f.status().code() == StatusCode::kNotFound) return store;  // nothing committed
    return f.status();
  }
  store->file_ = std::move(f).value();
  if (!read_only) {
    // The file may have just been created: its directory entry must be durable before the
    // first commit's fdatasync can mean anything.
    const auto slash = path.find_last_of('/');
    RC_RETURN_IF_ERROR(SyncDir(slash == std::string::npos ? "." : path.substr(0, slash)));
  }
  RC_RETURN_IF_ERROR(store->Replay(report));
  return store;
}

OffsetsStore::~OffsetsStore() = default;

Status OffsetsStore::Replay(std::vector<std::string>* report) {
  RC_ASSIGN_OR_RETURN(const uint64_t file_size, file_.Size());
  std::string bytes(file_size, '\0');
  size_t got = 0;
  RC_RETURN_IF_ERROR(file_.ReadAt(0, bytes.data(), bytes.size(), &got));
  bytes.resize(got);
  size_t pos = 0;
  std::string problem, why;
  std::vector<ConsumedRecord> records;
  while (pos < bytes.size()) {
    BatchHeader h;
    const FrameStatus fs = ParseBatchHeader(bytes.data() + pos, bytes.size() - pos, &h, &why);
    if (fs == FrameStatus::kIncomplete) {
      problem = "incomplete batch at byte " + std::to_string(pos) + " - a write torn by a crash";
      break;
    }
    if (fs == FrameStatus::kInvalid) {
      problem = "invalid batch at byte " + std::to_string(pos) + ": " + why;
      break;
    }
    if (ComputeBatchCrc(bytes.data() + pos, h) != h.crc) {
      problem = "CRC mismatch in batch at byte " + std::to_string(pos);
      break;
    }
    records.clear();
    Offset after;
    if (Status s = DecodeBatch(bytes.data() + pos, h, Offset(0),
                               static_cast<size_t>(h.record_count) + 1, "", 0, &records, &after);
        !s.ok()) {
      problem = s.message() + " at byte " + std::to_string(pos);
      break;
    }
    for (auto& r : records) {
      if (!r.record.key) continue;
      auto it = entries_.find(*r.record.key);
      if (it != entries_.end()) entries_.erase(it);
      if (r.record.value) entries_.emplace(std::move(*r.record.key), std::move(*r.record.value));
    }
    next_offset_ = h.next_offset();
    pos += h.total_size();
  }
  size_ = pos;
  if (!problem.empty()) {
    const std::string line = path_ + ": cut off bytes " + std::to_string(pos) + ".." +
                             std::to_string(bytes.size()) +
                             " (an unacknowledged commit): " + problem;
    if (read_only_) {
      log::Warn("broker", "{} (read-only: not repaired)", line);
    } else {
      log::Warn("broker", "recovery: {}", line);
      report->push_back(line);
      RC_RETURN_IF_ERROR(file_.Truncate(pos));
      RC_RETURN_IF_ERROR(file_.DataSync());
    }
  } else if (!read_only_ && size_ > 0) {
    RC_RETURN_IF_ERROR(file_.DataSync());  // what a crashed predecessor left in the page cache
  }
  return Status::Ok();
}

Status OffsetsStore::Commit(const std::string& group,
                            const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return Status::Ok();
  if (group.empty() || HasNul(group)) {
    return Status::InvalidArgument("consumer group name must be non-empty without NUL bytes");
  }
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(offsets.size());
  for (const auto& o : offsets) {
    if (HasNul(o.topic)) return Status::InvalidArgument("topic name contains a NUL byte");
    entries.emplace_back(OffsetKey(group, o.topic, o.partition), o.offset.ToString());
  }
  return Put(std::move(entries));
}

std::optional<Offset> OffsetsStore::Committed(const std::string& group, const std::string& topic,
                                              int32_t partition) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(OffsetKey(group, topic, partition));
  if (it == entries_.end()) return std::nullopt;
  return Offset(std::strtoll(it->second.c_str(), nullptr, 10));
}

std::vector<TopicPartitionOffset> OffsetsStore::CommittedOffsets(const std::string& group,
                                                                 const std::string& topic) const {
  const std::string prefix = OffsetKeyPrefix(group, topic);
  std::vector<TopicPartitionOffset> out;
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    TopicPartitionOffset o;
    o.topic = topic;
    o.partition = static_cast<int32_t>(std::strtol(it->first.c_str() + prefix.size(), nullptr, 10));
    o.offset = Offset(std::strtoll(it->second.c_str(), nullptr, 10));
    out.push_back(std::move(o));
  }
  return out;
}

Status OffsetsStore::Save(const std::string& source, const std::string& position) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.emplace_back(CheckpointKey(source), position);
  return Put(std::move(entries));
}

Result<std::optional<std::string>> OffsetsStore::Load(const std::string& source) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(CheckpointKey(source));
  if (it == entries_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status OffsetsStore::Put(std::vector<std::pair<std::string, std::string>> entries) {
  std::vector<Record> records(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    records[i].key = entries[i].first;
    records[i].value = entries[i].second;
  }
  std::string batch;
  EncodeBatch(std::span<const Record>(records), NowMs(), &batch);

  std::unique_lock<std::mutex> l(mu_);
  if (read_only_) return Status::FailedPrecondition(path_ + " is open read-only");
  if (closed_) return Status::Cancelled("the offsets store is closed");
  if (!failure_.ok()) return failure_;
  SetBaseOffset(batch.data(), next_offset_);
  if (Status s = file_.WriteAt(size_, batch.data(), batch.size()); !s.ok()) {
    if (Status t = file_.Truncate(size_); !t.ok()) {
      failure_ =
          Status::IoError(s.message() + " (and cutting it back failed: " + t.message() + ")");
      return failure_;
    }
    return s;
  }
  size_ += batch.size();
  next_offset_ += static_cast<int64_t>(records.size());
  appended_total_ += batch.size();
  const uint64_t mine = appended_total_;
  for (auto& [k, v] : entries) entries_.insert_or_assign(std::move(k), std::move(v));

  while (synced_total_ < mine) {
    if (!failure_.ok()) return failure_;
    if (syncing_) {
      synced_cv_.wait(l);
      continue;
    }
    // Lead a sync for everyone who appended so far.
    syncing_ = true;
    const uint64_t target = appended_total_;
    l.unlock();
    Status s = file_.DataSync();
    l.lock();
    syncing_ = false;
    if (s.ok()) {
      synced_total_ = target;
    } else {
      failure_ = s.WithDisposition(Disposition::kFatal);
      log::Error("broker", "offsets store failed until reopened: {}", s.ToString());
    }
    synced_cv_.notify_all();
  }
  if (!syncing_ && synced_total_ == appended_total_ && size_ > compact_min_bytes_ &&
      size_ > 4 * LiveBytes()) {
    if (Status s = CompactLocked(); !s.ok()) {
      log::Warn("broker", "compacting {}: {} (the uncompacted file stays valid)", path_,
                s.ToString());
    }
  }
  return Status::Ok();
}

uint64_t OffsetsStore::LiveBytes() const {
  uint64_t n = 0;
  for (const auto& [k, v] : entries_) n += k.size() + v.size() + 8;
  return n;
}

Status OffsetsStore::CompactLocked() {
  std::string out;
  std::vector<Record> chunk;
  size_t chunk_bytes = 0;
  int64_t offset = 0;
  const TimestampMs now = NowMs();
  auto flush = [&] {
    if (chunk.empty()) return;
    const size_t start = out.size();
    EncodeBatch(std::span<const Record>(chunk), now, &out);
    SetBaseOffset(out.data() + start, offset);
    offset += static_cast<int64_t>(chunk.size());
    chunk.clear();
    chunk_bytes = 0;
  };
  for (const auto& [k, v] : entries_) {
    Record& r = chunk.emplace_back();
    r.key = k;
    r.value = v;
    chunk_bytes += k.size() + v.size();
    if (chunk_bytes >= kTargetBatchBytes) flush();
  }
  flush();
  RC_RETURN_IF_ERROR(WriteFileAtomically(path_, out));
  RC_ASSIGN_OR_RETURN(File f, File::Open(path_, O_RDWR));
  const uint64_t before = size_;
  file_ = std::move(f);
  size_ = out.size();
  next_offset_ = offset;
  log::Debug("broker", "compacted {}: {} -> {} bytes", path_, before, size_);
  return Status::Ok();
}

Status OffsetsStore::Compact() {
  std::unique_lock<std::mutex> l(mu_);
  if (read_only_) return Status::FailedPrecondition(path_ + " is open read-only");
  synced_cv_.wait(l, [&] { return !syncing_; });
  if (synced_total_ != appended_total_) {
    RC_RETURN_IF_ERROR(file_.DataSync());
    synced_total_ = appended_total_;
    synced_cv_.notify_all();
  }
  return CompactLocked();
}

uint64_t OffsetsStore::file_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return size_;
}

void OffsetsStore::Close() {
  std::lock_guard<std::mutex> l(mu_);
  closed_ = true;
}

}  // namespace rivven::embedded
