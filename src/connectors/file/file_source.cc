#include "connectors/file/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/json_escape.h"
#include "base/log.h"
#include "connectors/file/file_source_discover.h"
#include "connectors/file/file_source_files.h"
#include "connectors/file/file_source_reader.h"
#include "connectors/file/file_source_watcher.h"
#include "connectors/registry.h"

namespace rivven {
namespace file {
namespace {

constexpr auto kMinModifyRescanGap = std::chrono::seconds(1);

FileIdentity IdentityOf(const struct stat& st) {
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::string RejectPosition(const std::string& path, uint64_t offset, uint64_t line) {
  std::string out = "{\"path\":";
  AppendJsonString(out, path);
  out += ",\"offset\":" + std::to_string(offset) + ",\"line\":" + std::to_string(line) + "}";
  return out;
}

}  // namespace

struct FileSource::Tracked {
  FileState state;
  std::unique_ptr<FileReader> reader;
  std::string entry;                      // FileStateJson(state), cached; empty = stale
  bool done = false;                      // bounded: read to its end
  bool seen = false;                      // found by the current scan
  bool retired = false;                   // to be removed from files_
  SteadyClock::time_point last_change{};  // last time it grew, appeared or was rotated
  SteadyClock::time_point last_read{};
};

/// Collects a reader's output into the batch; rejects go to the context's error handler.
class FileSource::BatchOutput final : public RecordOutput {
 public:
  BatchOutput(const ConnectorContext& context, SourceBatch& batch)
      : context_(context), batch_(batch), now_ms_(NowMs()) {}

  void SetFile(const std::string* path) { path_ = path; }
  size_t bytes() const { return bytes_; }

  void Emit(std::string value) override {
    bytes_ += value.size();
    Record& r = batch_.records.emplace_back();
    r.value = std::move(value);
    r.timestamp_ms = now_ms_;
  }

  Status Reject(std::string_view raw, uint64_t line, uint64_t offset,
                std::string_view why) override {
    RejectedRecord r;
    r.value = std::string(raw);
    r.reason = *path_ + ":" + std::to_string(line) + ": " + std::string(why);
    r.position = RejectPosition(*path_, offset, line);
    if (context_.errors == nullptr) return Status::InvalidArgument(r.reason);
    Status s = context_.errors->Reject(r);
    if (s.ok()) return s;
    // Fatal whatever the handler said, and naming the file and line.
    if (s.message().find(r.reason) == std::string::npos) {
      return Status::Error(s.code(), r.reason + ": " + s.message(), Disposition::kFatal);
    }
    return s.WithDisposition(Disposition::kFatal);
  }

 private:
  const ConnectorContext& context_;
  SourceBatch& batch_;
  TimestampMs now_ms_;
  const std::string* path_ = nullptr;
  size_t bytes_ = 0;
};

FileSource::FileSource(FileSourceConfig config, ConnectorContext context)
    : config_(std::move(config)), context_(std::move(context)) {}

FileSource::~FileSource() = default;

Status FileSource::Open(const std::optional<std::string>& checkpoint) {
  files_.clear();
  if (checkpoint && !checkpoint->empty()) {
    RC_ASSIGN_OR_RETURN(std::vector<FileState> states, ParseCheckpoint(*checkpoint));
    for (auto& s : states) {
      auto t = std::make_unique<Tracked>();
      t->state = std::move(s);
      files_.push_back(std::move(t));
    }
  }
  if (config_.watch) watcher_ = std::make_unique<FileWatcher>();
  RC_RETURN_IF_ERROR(Scan(/*initial=*/true));
  const auto now = SteadyClock::now();
  next_scan_ = now + config_.poll_interval;
  opened_ = true;
  finished_ = false;
  pending_error_.reset();
  size_t resumed = 0;
  for (const auto& t : files_) {
    resumed += t->state.cursor.offset > 0 || t->state.cursor.row > 0 ? 1 : 0;
  }
  log::Info("file", "{}: {} {} file(s) at {} ({}{}){}", context_.name,
            config_.watch ? "watching" : "reading", files_.size(), config_.path,
            config_.format == SourceFormat::kCsv       ? "csv"
            : config_.format == SourceFormat::kParquet ? "parquet"
                                                       : "json",
            config_.watch ? ", every " + std::to_string(config_.poll_interval.count()) + " s" : "",
            resumed > 0 ? ", resuming " + std::to_string(resumed) + " from the checkpoint" : "");
  return Status::Ok();
}

Status FileSource::Close() {
  files_.clear();
  watcher_.reset();
  opened_ = false;
  return Status::Ok();
}

FileSource::Tracked* FileSource::FindById(const FileIdentity& id) {
  for (auto& t : files_) {
    if (!t->retired && t->state.id == id) return t.get();
  }
  return nullptr;
}

bool FileSource::Relevant(std::string_view name) const {
  if (name.empty()) return true;
  if (!is_dir_) return name == watch_name_;
  return IsCandidateName(name, config_.include);
}

void FileSource::Touch(Tracked& t) {
  t.entry.clear();
  dirty_ = true;
}

void FileSource::StartOver(Tracked& t, const std::string& why) {
  log::Warn("file", "{}: {} {}; reading it again from the start", context_.name, t.state.path, why);
  t.state.cursor = FileCursor{};
  t.state.fp = Fingerprint{};
  t.done = false;
  if (t.reader) t.reader->Restart(FileCursor{});
  Touch(t);
}

void FileSource::Retire(Tracked& t, const char* why) {
  if (t.reader) {
    // Still readable through the open descriptor: finish it, then let it go.
    if (!t.state.rotated) {
      log::Info("file", "{}: {} {}; finishing the old file", context_.name, t.state.path, why);
      t.state.rotated = true;
      t.last_change = SteadyClock::now();
      Touch(t);
    }
    return;
  }
  if (t.state.size > t.state.cursor.offset) {
    log::Warn("file", "{}: {} {} before it was read to its end ({} of {} bytes read)",
              context_.name, t.state.path, why, t.state.cursor.offset, t.state.size);
  }
  t.retired = true;
  Touch(t);
}

Status FileSource::UpdateSize(Tracked& t, uint64_t size, bool verify_fingerprint) {
  const uint64_t read = t.reader ? t.reader->read_offset() : t.state.cursor.offset;
  const bool started = t.state.cursor.offset > 0 || t.state.cursor.row > 0;
  if (config_.format == SourceFormat::kParquet && started && size != t.state.size) {
    // Parquet files are never appended to: a new size is a new file.
    StartOver(t, "changed size (" + std::to_string(t.state.size) + " -> " + std::to_string(size) +
                     " bytes): a rewritten Parquet file");
  } else if (size < t.state.cursor.offset || size < read) {
    StartOver(t, "was truncated (now " + std::to_string(size) + " bytes, " + std::to_string(read) +
                     " read)");
  } else if (started && t.state.fp.length > 0 && (verify_fingerprint || size != t.state.size)) {
    int fd = t.reader ? t.reader->fd() : ::open(t.state.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      Result<Fingerprint> fp = ComputeFingerprint(fd, t.state.fp.length);
      if (!t.reader) ::close(fd);
      if (fp.ok() && !(*fp == t.state.fp)) {
        StartOver(t,
                  "has different first bytes than when it was read (rewritten, or a new "
                  "file on a reused inode)");
      }
    }
  }
  if (size != t.state.size) {
    if (size > t.state.size) t.last_change = SteadyClock::now();
    t.state.size = size;
    t.entry.clear();
  }
  return Status::Ok();
}

Status FileSource::Scan(bool initial) {
  RC_ASSIGN_OR_RETURN(Listing listing, ListFiles(config_));
  last_scan_ = SteadyClock::now();
  if (!listing.exists) {
    if (initial && !config_.watch) {
      return Status::NotFound(config_.path + ": no such file or directory");
    }
    if (!missing_warned_) {
      log::Warn("file", "{}: {} does not exist (yet); looking again every {} s", context_.name,
                config_.path, config_.poll_interval.count());
      missing_warned_ = true;
    }
  } else {
    missing_warned_ = false;
    if (watcher_ && (!watcher_->watching() || is_dir_ != listing.is_dir)) {
      is_dir_ = listing.is_dir;
      WatchTarget(config_.path, is_dir_, &watch_dir_, &watch_name_);
      if (!watcher_->Watch(watch_dir_)) {
        log::Debug("file", "{}: no inotify watch on {}; relying on the {} s listing", context_.name,
                   watch_dir_, config_.poll_interval.count());
      }
    }
    is_dir_ = listing.is_dir;
  }

  // Identity first: a file renamed inside the directory (app.log -> app.log.1) keeps its offset,
  // whatever order the names come in.
  for (auto& t : files_) t->seen = false;
  std::vector<const ListedFile*> unknown;
  for (const ListedFile& f : listing.files) {
    Tracked* t = FindById(IdentityOf(f.st));
    if (t == nullptr) {
      unknown.push_back(&f);
      continue;
    }
    t->seen = true;
    if (t->state.path != f.path || t->state.rotated) {
      if (!initial) log::Info("file", "{}: {} is now {}", context_.name, t->state.path, f.path);
      t->state.path = f.path;
      t->state.rotated = false;
      Touch(*t);
    }
    RC_RETURN_IF_ERROR(UpdateSize(*t, static_cast<uint64_t>(f.st.st_size),
                                  /*verify_fingerprint=*/initial));
  }
  std::vector<std::unique_ptr<Tracked>> added;
  for (const ListedFile* f : unknown) {
    // A path that names a new file: whatever was there before was rotated away.
    for (auto& old : files_) {
      if (!old->seen && !old->retired && !old->state.rotated && old->state.path == f->path) {
        Retire(*old, "was rotated (a new file has its name)");
      }
    }
    auto t = std::make_unique<Tracked>();
    t->state.path = f->path;
    t->state.id = IdentityOf(f->st);
    t->state.size = static_cast<uint64_t>(f->st.st_size);
    t->seen = true;
    t->last_change = SteadyClock::now();
    if (!initial) log::Info("file", "{}: new file {}", context_.name, f->path);
    dirty_ = true;
    added.push_back(std::move(t));
  }
  for (auto& t : files_) {
    if (!t->seen && !t->retired && !(t->state.rotated && t->reader)) {
      Retire(*t, "is gone (deleted, or renamed out of the directory)");
    }
  }
  for (auto& t : added) files_.push_back(std::move(t));
  RemoveRetired();
  SortFiles();
  return Status::Ok();
}

void FileSource::RemoveRetired() {
  files_.erase(std::remove_if(files_.begin(), files_.end(),
                              [](const std::unique_ptr<Tracked>& t) { return t->retired; }),
               files_.end());
}

void FileSource::SortFiles() {
  std::stable_sort(files_.begin(), files_.end(), [](const auto& a, const auto& b) {
    if (a->state.rotated != b->state.rotated) return a->state.rotated;  // older data first
    return a->state.path < b->state.path;
  });
}

void FileSource::CheckOpenFiles() {
  const auto now = SteadyClock::now();
  for (auto& t : files_) {
    if (!t->reader || t->retired) continue;
    struct stat st;
    if (::fstat(t->reader->fd(), &st) != 0) continue;
    if (st.st_nlink == 0 && !t->state.rotated) Retire(*t, "was deleted");
    (void)UpdateSize(*t, static_cast<uint64_t>(st.st_size), false);
    if (t->reader->buffered() && Quiet(*t, now) && now - t->last_read >= config_.poll_interval) {
      t->reader->ReleaseBuffer();  // an idle file keeps its descriptor, not its buffer
    }
  }
  if (!is_dir_) {
    // A watched file: a stat per poll notices its rotation, or its growth while it has no
    // descriptor open, at once.
    struct stat st;
    if (::stat(config_.path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      Tracked* t = FindById(IdentityOf(st));
      if (t == nullptr) {
        rescan_ = true;
      } else if (!t->reader) {
        (void)UpdateSize(*t, static_cast<uint64_t>(st.st_size), false);
      }
    }
  }
}

bool FileSource::Quiet(const Tracked& t, SteadyClock::time_point now) const {
  return now - t.last_change >= config_.poll_interval;
}

bool FileSource::HasWork(const Tracked& t, SteadyClock::time_point now) const {
  if (t.retired) return false;
  if (!config_.watch) return !t.done;
  if (config_.format == SourceFormat::kParquet) {
    // Done once offset is the size; else rows left, a new size, or a file that did not parse
    // going quiet (it is complete now: parse it for good).
    if (!t.reader) return t.state.size != t.state.cursor.offset || t.state.rotated;
    return t.reader->records_pending() || t.state.size != t.reader->read_offset() ||
           (t.reader->waiting_for_complete() && Quiet(t, now)) || (t.state.rotated && Quiet(t, now));
  }
  if (!t.reader) return t.state.size > t.state.cursor.offset || t.state.rotated;
  return t.state.size > t.reader->read_offset() || (t.state.rotated && Quiet(t, now));
}

Result<bool> FileSource::OpenReader(Tracked& t) {
  const int fd = ::open(t.state.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      rescan_ = true;
      if (!config_.watch) {
        t.done = true;
        log::Warn("file", "{}: {} vanished before it was read", context_.name, t.state.path);
      }
      return false;
    }
    return Status::FromErrno(errno, "opening " + t.state.path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !(IdentityOf(st) == t.state.id)) {
    ::close(fd);  // replaced since the listing: the next scan sorts it out
    rescan_ = true;
    if (!config_.watch) t.done = true;
    return false;
  }
  if (config_.watch) {
    size_t open = 0;
    for (const auto& o : files_) open += o->reader ? 1 : 0;
    while (open >= kMaxOpenReaders) {
      Tracked* lru = nullptr;
      for (auto& o : files_) {
        if (o->reader && !o->state.rotated && (!lru || o->last_read < lru->last_read)) {
          lru = o.get();
        }
      }
      if (lru == nullptr) break;
      lru->reader.reset();
      --open;
    }
  }
  t.reader = std::make_unique<FileReader>(config_, t.state.path, fd, t.state.cursor);
  t.last_read = SteadyClock::now();
  return true;
}

Result<bool> FileSource::ReadFiles(SourceBatch& batch, size_t max_records) {
  BatchOutput out(context_, batch);
  const auto now = SteadyClock::now();
  bool limited = false;
  for (auto& tp : files_) {
    Tracked& t = *tp;
    if (batch.records.size() >= max_records || out.bytes() >= kMaxBatchBytes) {
      limited = true;
      break;
    }
    if (!HasWork(t, now)) continue;
    if (!t.reader) {
      RC_ASSIGN_OR_RETURN(bool opened, OpenReader(t));
      if (!opened) continue;
    }
    // A Parquet file is complete or unparseable: while watching, one that has not gone quiet
    // may still be being written.
    const bool complete = !config_.watch || (t.state.rotated && Quiet(t, now)) ||
                          (config_.format == SourceFormat::kParquet && Quiet(t, now));
    out.SetFile(&t.state.path);
    Result<bool> at_end = t.reader->Read(out, max_records - batch.records.size(),
                                         kMaxBatchBytes - out.bytes(), complete);
    t.last_read = now;
    const FileCursor& c = t.reader->cursor();
    if (c.offset != t.state.cursor.offset || c.line != t.state.cursor.line ||
        c.json_array != t.state.cursor.json_array || c.row != t.state.cursor.row) {
      t.state.cursor = c;
      Touch(t);
      // Parquet: the rows come from the whole file, so its first bytes are all "read".
      const uint64_t read = config_.format == SourceFormat::kParquet
                                ? std::max(c.offset, t.reader->read_offset())
                                : c.offset;
      if (t.state.fp.length < Fingerprint::kMaxBytes && read > t.state.fp.length) {
        Result<Fingerprint> fp = ComputeFingerprint(t.reader->fd(), read);
        if (fp.ok()) t.state.fp = *fp;
      }
    }
    t.state.size = std::max(t.state.size, t.reader->read_offset());
    if (!at_end.ok()) return at_end.status();
    if (!*at_end) {
      limited = true;
      break;
    }
    if (!config_.watch) {
      t.done = true;
      t.reader.reset();
    } else if (t.state.rotated && complete) {
      log::Info("file", "{}: finished rotated file {} ({} bytes)", context_.name, t.state.path,
                t.state.cursor.offset);
      t.retired = true;
      Touch(t);
    }
  }
  RemoveRetired();
  return limited;
}

bool FileSource::AllDone() const {
  for (const auto& t : files_) {
    if (!t->done) return false;
  }
  return true;
}

std::string FileSource::Position() {
  std::vector<std::string> entries;
  entries.reserve(files_.size());
  for (auto& t : files_) {
    if (t->entry.empty()) t->entry = FileStateJson(t->state);
    entries.push_back(t->entry);
  }
  return CheckpointJson(entries);
}

SourceProgress FileSource::Progress() const {
  SourceProgress p;
  p.unit = "bytes";
  for (const auto& t : files_) {
    uint64_t done = t->state.cursor.offset;
    if (t->reader) done = t->reader->consumed_offset();
    if (t->done) done = t->state.size;
    p.done += done;
    p.total += std::max(t->state.size, done);
  }
  return p;
}

Result<SourceBatch> FileSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                     std::stop_token stop) {
  if (!opened_) return Status::FailedPrecondition("file source: Poll before Open");
  if (pending_error_) {
    Status s = *pending_error_;
    pending_error_.reset();
    return s;
  }
  SourceBatch batch;
  if (finished_) {
    batch.finished = true;
    batch.position = Position();
    batch.progress = Progress();
    return batch;
  }
  const auto deadline = SteadyClock::now() + max_wait;
  while (true) {
    if (config_.watch) {
      const auto now = SteadyClock::now();
      if (rescan_ || now >= next_scan_) {
        RC_RETURN_IF_ERROR(Scan(/*initial=*/false));
        rescan_ = false;
        next_scan_ = now + config_.poll_interval;
      }
      CheckOpenFiles();
    }
    Result<bool> limited = ReadFiles(batch, max_records);
    if (!limited.ok()) {
      if (batch.records.empty()) return limited.status();
      pending_error_ = limited.status();  // deliver what came before the bad record first
      break;
    }
    if (!config_.watch && AllDone()) {
      finished_ = true;
      batch.finished = true;
      break;
    }
    if (*limited || !batch.records.empty() || !config_.watch) break;
    if (stop.stop_requested() || SteadyClock::now() >= deadline) break;
    const FileWatcher::Wake wake = watcher_->Wait(
        std::min(deadline, next_scan_), stop, [this](std::string_view n) { return Relevant(n); });
    if (wake.listing) rescan_ = true;
    if (wake.modified) {
      // A file without an open descriptor may have grown: only a listing tells. Listings
      // triggered by writes happen at most once per kMinModifyRescanGap.
      bool closed = false;
      for (const auto& t : files_) closed = closed || !t->reader;
      if (closed) next_scan_ = std::min(next_scan_, last_scan_ + kMinModifyRescanGap);
    }
  }
  if (dirty_ || batch.finished) {
    batch.position = Position();
    dirty_ = false;
  }
  batch.progress = Progress();
  return batch;
}

}  // namespace file

void RegisterFileSource(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "file";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Reads JSON Lines, JSON arrays, CSV or Parquet from a file or a directory, once (bounded) "
      "or following appends, rotation and new files (watch); resumes at the exact byte (Parquet: "
      "row) after the last record delivered";
  d.schema = file::FileSourceSchema();
  d.bounded_when_configured = true;  // with watch: false
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(file::FileSourceConfig config, file::FileSourceConfigFromBound(bound));
    return std::unique_ptr<Source>(std::make_unique<file::FileSource>(std::move(config), context));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(file::FileSourceConfig config, file::FileSourceConfigFromBound(bound));
    return file::CheckFileSource(config);
  };
  d.discover = [](const config::BoundConfig& bound) -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(file::FileSourceConfig config, file::FileSourceConfigFromBound(bound));
    return file::DiscoverFileStreams(config);
  };
  d.validate = file::ValidateFileSourceConfig;
  registry.Add(std::move(d));
}

}  // namespace rivven
