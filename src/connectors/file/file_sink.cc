#include "connectors/file/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/clock.h"
#include "connectors/file/file_sink_output.h"
#include "connectors/file/file_sink_recovery.h"
#include "connectors/registry.h"

namespace rivven {
namespace file {
namespace {

void SyncParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).lexically_normal().parent_path();
  if (parent.empty()) parent = ".";
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);  // best effort: the directory itself is synced with its first file
  ::close(fd);
}

}  // namespace

FileSink::FileSink(FileSinkConfig config, RecordErrorHandler* errors,
                   std::vector<std::string> topics, Clock clock)
    : config_(std::move(config)),
      errors_(errors),
      topics_(std::move(topics)),
      clock_(clock ? std::move(clock) : Clock([] { return NowMs(); })) {}

FileSink::~FileSink() { CloseAll(); }

void FileSink::CloseAll() {
  last_ = nullptr;
  files_.clear();  // closes without completing: in-progress files wait for the next Open
  if (dir_fd_ >= 0) ::close(dir_fd_);
  dir_fd_ = -1;
}

Status FileSink::Open() {
  CloseAll();
  failed_ = Status::Ok();
  std::error_code ec;
  const bool created = std::filesystem::create_directories(config_.path, ec);
  if (ec) {
    return Status::IoError("file sink: creating directory " + config_.path + ": " + ec.message());
  }
  dir_fd_ = ::open(config_.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return Status::FromErrno(errno, "file sink: opening directory " + config_.path);
  if (created) {
    SyncParentDirectory(config_.path);
    dir_dirty_ = true;
  }
  RC_ASSIGN_OR_RETURN(RecoveryReport report,
                      RecoverInProgressFiles(dir_fd_, config_.path, topics_));
  files_completed_ += report.published;
  return Status::Ok();
}

bool FileSink::Aged(const OutputFile& f, TimestampMs now) const {
  return config_.max_age_ms > 0 && now - f.created_ms() >= config_.max_age_ms;
}

Result<OutputFile*> FileSink::FileFor(const std::string& topic) {
  OutputFile* f = nullptr;
  if (last_ != nullptr && last_->topic() == topic) {
    f = last_;
  } else if (auto it = files_.find(topic); it != files_.end()) {
    f = it->second.get();
  }
  if (f != nullptr && config_.max_age_ms > 0 && Aged(*f, clock_())) {
    RC_RETURN_IF_ERROR(Complete(topic));
    f = nullptr;
  }
  if (f == nullptr) {
    std::unique_ptr<OutputFile> created;
    if (config_.rolling()) {
      RC_ASSIGN_OR_RETURN(
          created, OutputFile::CreateRolling(dir_fd_, config_.path, topic, config_, clock_()));
      dir_dirty_ = true;
    } else {
      bool is_new = false;
      RC_ASSIGN_OR_RETURN(created, OutputFile::OpenAppend(dir_fd_, config_.path, topic, &is_new));
      dir_dirty_ |= is_new;
    }
    f = created.get();
    files_[topic] = std::move(created);
  }
  last_ = f;
  return f;
}

Status FileSink::Write(const std::vector<ConsumedRecord>& records) {
  if (dir_fd_ < 0) return Status::FailedPrecondition("file sink: Write before Open");
  RC_RETURN_IF_ERROR(failed_);
  for (const ConsumedRecord& record : records) {
    RC_ASSIGN_OR_RETURN(OutputFile * f, FileFor(record.topic));
    if (Status st = f->Append(record); !st.ok()) {
      RC_RETURN_IF_ERROR(Reject(record, st));
      continue;
    }
    RC_RETURN_IF_ERROR(f->MaybeDrain());
    if (config_.max_size_bytes > 0 && f->size() >= config_.max_size_bytes) {
      RC_RETURN_IF_ERROR(Complete(record.topic));
    }
  }
  return Status::Ok();
}

Status FileSink::Reject(const ConsumedRecord& record, const Status& why) {
  RejectedRecord r;
  r.key = record.record.key;
  r.value = record.record.value;
  r.headers = record.record.headers;
  r.position = record.topic + "/" + std::to_string(record.partition) + "/" +
               std::to_string(record.offset.value());
  // ".csv" -> "csv"
  r.reason = "file sink: record " + r.position + " cannot be written as " +
             (FileExtension(config_.format) + 1) + ": " + why.message();
  if (errors_ == nullptr) return Status::InvalidArgument(r.reason);
  return errors_->Reject(r);
}

Status FileSink::Complete(const std::string& topic) {
  auto it = files_.find(topic);
  if (it == files_.end()) return Status::Ok();
  std::unique_ptr<OutputFile> f = std::move(it->second);
  files_.erase(it);
  last_ = nullptr;
  uint64_t synced = 0;
  Result<std::string> done = f->Finish(&synced);
  sync_count_ += synced;
  if (!done.ok()) {
    if (f->sync_failed()) failed_ = done.status();
    return done.status();
  }
  if (done->empty()) return Status::Ok();
  ++files_completed_;
  return SyncDirectory();
}

Status FileSink::SyncDirectory() {
  if (::fsync(dir_fd_) != 0) {
    failed_ = Status::FromErrno(errno, "file sink: fsync directory " + config_.path)
                  .WithDisposition(Disposition::kFatal);
    return failed_;
  }
  dir_dirty_ = false;
  ++sync_count_;
  return Status::Ok();
}

Status FileSink::Flush() {
  if (dir_fd_ < 0) return Status::FailedPrecondition("file sink: Flush before Open");
  RC_RETURN_IF_ERROR(failed_);
  if (config_.max_age_ms > 0) {
    const TimestampMs now = clock_();
    std::vector<std::string> aged;
    for (const auto& [topic, f] : files_) {
      if (Aged(*f, now)) aged.push_back(topic);
    }
    for (const std::string& topic : aged) RC_RETURN_IF_ERROR(Complete(topic));
  }
  // Write everything first so the kernel can write back all files while we sync the first.
  for (auto& [topic, f] : files_) RC_RETURN_IF_ERROR(f->Drain());
  for (auto& [topic, f] : files_) {
    // After a failed fdatasync the page cache state is unknown: fatal, so the runtime restarts
    // the sink and replays from the last committed offset.
    if (Status st = f->Sync(&sync_count_); !st.ok()) {
      if (f->sync_failed()) failed_ = st;
      return st;
    }
  }
  if (dir_dirty_) RC_RETURN_IF_ERROR(SyncDirectory());
  return Status::Ok();
}

Status FileSink::Close() {
  if (dir_fd_ < 0) return Status::Ok();
  Status result = failed_;
  if (result.ok()) {
    std::vector<std::string> topics;
    for (const auto& [topic, f] : files_) topics.push_back(topic);
    std::sort(topics.begin(), topics.end());
    for (const std::string& topic : topics) {
      if (Status st = Complete(topic); !st.ok() && result.ok()) result = st;
      if (!failed_.ok()) break;
    }
    if (result.ok() && dir_dirty_) result = SyncDirectory();
  }
  CloseAll();
  return result;
}

}  // namespace file

void RegisterFileSink(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "file";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Writes records to local files: jsonl appended to <topic>.jsonl, or rolling jsonl/csv/json "
      "files (optionally gzip, zstd or snappy) renamed into place when complete; durable "
      "(fdatasync) before offsets are committed";
  d.schema = file::FileSinkSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext& ctx) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(file::FileSinkConfig config, file::FileSinkConfigFromBound(bound));
    return std::unique_ptr<Sink>(
        std::make_unique<file::FileSink>(std::move(config), ctx.errors, ctx.topics));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(file::FileSinkConfig config, file::FileSinkConfigFromBound(bound));
    // The directory or, when it does not exist yet, its nearest existing ancestor must be a
    // writable directory.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p = config.path;
    while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
    if (p.empty()) p = ".";
    if (!fs::is_directory(p, ec)) {
      return Status::InvalidArgument("file sink: " + p.string() + " is not a directory");
    }
    if (::access(p.c_str(), W_OK | X_OK) != 0) {
      return Status::FromErrno(errno, "file sink: " + p.string() + " is not writable");
    }
    return Status::Ok();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
