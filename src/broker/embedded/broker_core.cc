#include "broker/embedded/broker_core.h"

#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "base/clock.h"
#include "base/log.h"
#include "broker/embedded/data_dir_lock.h"
#include "broker/embedded/file.h"
#include "broker/embedded/offsets_store.h"
#include "broker/embedded/partition_log.h"
#include "broker/embedded/partition_reader.h"
#include "broker/embedded/topic.h"

namespace rivven::embedded {
namespace {

constexpr std::string_view kLog = "broker";
constexpr const char* kCleanShutdownFile = "/.clean_shutdown";
constexpr auto kHousekeepingInterval = std::chrono::seconds(60);
constexpr size_t kReadCacheSize = 64;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<std::shared_ptr<BrokerCore>> BrokerCore::Open(const EmbeddedBrokerOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the broker's data_dir is empty");
  if (options.segment_bytes < 1 || options.segment_bytes > INT32_MAX) {
    return Status::InvalidArgument("segment_bytes must be 1.." + std::to_string(INT32_MAX) +
                                   ", got " + std::to_string(options.segment_bytes));
  }
  if (options.flush_interval_ms < 0) {
    return Status::InvalidArgument("flush_interval_ms must be >= 0");
  }
  std::shared_ptr<BrokerCore> core(new BrokerCore(options));
  RC_RETURN_IF_ERROR(core->Start());
  return core;
}

BrokerCore::BrokerCore(EmbeddedBrokerOptions options) : options_(std::move(options)) {}

LogConfig BrokerCore::Defaults() const {
  LogConfig c;
  c.segment_bytes = options_.segment_bytes;
  c.page_cache_bytes = options_.page_cache_bytes;
  c.retention_ms = options_.retention_ms;
  c.retention_bytes = options_.retention_bytes;
  c.ack_on_write = options_.flush_interval_ms > 0;
  c.read_only = options_.read_only;
  return c;
}

Status BrokerCore::Start() {
  const std::string& dir = options_.data_dir;
  bool clean = false;
  if (options_.read_only) {
    if (!Exists(dir)) return Status::NotFound("data dir " + dir + " does not exist");
  } else {
    RC_RETURN_IF_ERROR(CreateDirs(dir));
    RC_ASSIGN_OR_RETURN(lock_, DataDirLock::Acquire(dir));
    RC_RETURN_IF_ERROR(CreateDirs(topics_dir()));
    // The marker vouches for the files as the last owner left them; from now on they change.
    clean = Exists(dir + kCleanShutdownFile);
    if (clean) {
      RC_RETURN_IF_ERROR(RemoveFile(dir + kCleanShutdownFile));
      RC_RETURN_IF_ERROR(SyncDir(dir));
    }
  }
  RC_ASSIGN_OR_RETURN(offsets_,
                      OffsetsStore::Open(dir + "/offsets.log", options_.read_only, &report_));

  RC_RETURN_IF_ERROR(DiscoverTopics(clean));
  if (options_.read_only) {
    started_ = true;
    return Status::Ok();
  }

  if (options_.flush_interval_ms > 0) {
    log::Warn(kLog,
              "broker.flush_interval_ms={}: records are acknowledged before they are on disk; a "
              "power failure or kernel crash can lose the last {} ms of them (0 = fsync before "
              "acknowledging)",
              options_.flush_interval_ms, options_.flush_interval_ms);
  }
  if (!report_.empty()) {
    log::Warn(kLog, "data dir {}: {} repair(s) made on open; see the lines above", dir,
              report_.size());
  }
  // The flusher thread runs only while the core is alive: Close (or the destructor) stops it.
  flusher_ = std::make_unique<Flusher>(
      options_.flush_interval_ms, &notifier_,
      std::chrono::duration_cast<std::chrono::milliseconds>(kHousekeepingInterval), [this] {
        Status s = EnforceRetention();
        if (!s.ok()) log::Warn(kLog, "retention: {}", s.ToString());
      });
  flusher_->Start();
  RC_RETURN_IF_ERROR(EnforceRetention());
  started_ = true;
  return Status::Ok();
}

BrokerCore::~BrokerCore() {
  Status s = Close();
  if (!s.ok()) log::Error(kLog, "closing data dir {}: {}", options_.data_dir, s.ToString());
}

Status BrokerCore::DiscoverTopics(bool clean_shutdown) {
  auto names = ListDir(topics_dir());
  if (!names.ok()) {
    return names.status().code() == StatusCode::kNotFound ? Status::Ok() : names.status();
  }
  std::sort(names->begin(), names->end());
  std::unique_lock<std::shared_mutex> l(topics_mu_);
  for (const auto& name : *names) {
    if (topics_.count(name) > 0 || !ValidateTopicName(name).ok()) continue;
    if (!Exists(topics_dir() + "/" + name + "/topic.json")) {
      if (!read_only()) {
        log::Warn(kLog, "ignoring {}/{}: it has no topic.json (a creation that did not finish)",
                  topics_dir(), name);
      }
      continue;
    }
    // After Start (read-only discovery) the report is frozen: RecoveryReport() reads it unlocked.
    std::vector<std::string> repairs;
    auto topic =
        Topic::Open(topics_dir(), name, Defaults(), clean_shutdown, started_ ? &repairs : &report_);
    if (!topic.ok()) {
      if (!read_only()) return topic.status();
      log::Warn(kLog, "skipping topic {}: {}", name, topic.status().ToString());
      continue;
    }
    topics_.emplace(name, std::move(topic).value());
  }
  return Status::Ok();
}

Topic* BrokerCore::FindTopic(const std::string& name) {
  {
    std::shared_lock<std::shared_mutex> l(topics_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) return it->second.get();
  }
  if (!read_only()) return nullptr;
  (void)DiscoverTopics(false);  // created by the owner since we opened
  std::shared_lock<std::shared_mutex> l(topics_mu_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

std::vector<std::string> BrokerCore::ListTopics() {
  if (read_only()) (void)DiscoverTopics(false);
  std::shared_lock<std::shared_mutex> l(topics_mu_);
  std::vector<std::string> names;
  for (const auto& [name, topic] : topics_) {
    if (name.rfind("__", 0) != 0) names.push_back(name);  // "__x" topics are internal
  }
  return names;
}

Status BrokerCore::CreateTopic(const std::string& name, const TopicSpec& spec) {
  if (read_only()) return Status::FailedPrecondition("the data dir is open read-only");
  if (closed()) return Status::Cancelled("the broker is closed");
  std::unique_lock<std::shared_mutex> l(topics_mu_);
  if (topics_.count(name) > 0) {
    return Status::Error(StatusCode::kAlreadyExists, "topic '" + name + "' already exists");
  }
  // Repairs of leftovers from an interrupted creation are logged, not added to the open report.
  std::vector<std::string> repairs;
  RC_ASSIGN_OR_RETURN(auto topic, Topic::Create(topics_dir(), name, spec, Defaults(), &repairs));
  topics_.emplace(name, std::move(topic));
  return Status::Ok();
}

bool BrokerCore::BeginSend() {
  std::lock_guard<std::mutex> l(send_mu_);
  if (closing_) return false;
  ++active_sends_;
  return true;
}

void BrokerCore::EndSend() {
  std::lock_guard<std::mutex> l(send_mu_);
  if (--active_sends_ == 0) sends_done_.notify_all();
}

Result<std::vector<ConsumedRecord>> BrokerCore::Read(const std::string& topic, int32_t partition,
                                                     Offset from, size_t max_records,
                                                     std::chrono::milliseconds wait) {
  if (closed()) return Status::Cancelled("the broker is closed");
  Topic* t = FindTopic(topic);
  if (t == nullptr) return Status::NotFound("topic '" + topic + "' does not exist");
  if (partition < 0 || partition >= t->partition_count()) {
    return Status::NotFound("topic '" + topic + "' has no partition " + std::to_string(partition));
  }
  std::vector<ConsumedRecord> out;
  if (max_records == 0) return out;
  const auto key = std::make_pair(topic, partition);
  std::unique_ptr<PartitionReader> reader;
  {
    std::lock_guard<std::mutex> l(read_cache_mu_);
    auto it = read_cache_.find(key);
    if (it != read_cache_.end()) {
      reader = std::move(it->second);
      read_cache_.erase(it);
    }
  }
  if (!reader) reader = std::make_unique<PartitionReader>(t->partition(partition), from);
  if (reader->next() != from) reader->Seek(from);

  const auto deadline = SteadyClock::now() + wait;
  while (true) {
    auto n = reader->Read(max_records, &out);
    if (!n.ok()) return n.status();
    if (*n > 0 || SteadyClock::now() >= deadline || closed()) break;
    if (read_only()) {
      // No notification crosses processes: look again shortly (Read refreshes the view).
      std::this_thread::sleep_for(std::min<SteadyClock::duration>(std::chrono::milliseconds(50),
                                                                  deadline - SteadyClock::now()));
    } else {
      notifier_.WaitUntil(deadline, [&] { return reader->HasData() || closed(); });
    }
  }
  std::lock_guard<std::mutex> l(read_cache_mu_);
  if (read_cache_.size() >= kReadCacheSize) read_cache_.erase(read_cache_.begin());
  read_cache_[key] = std::move(reader);
  return out;
}

Status BrokerCore::EnforceRetention() {
  if (read_only() || closed()) return Status::Ok();
  std::vector<Topic*> topics;
  {
    std::shared_lock<std::shared_mutex> l(topics_mu_);
    for (auto& [name, t] : topics_) topics.push_back(t.get());
  }
  std::vector<std::string> removed;
  Status first;
  const TimestampMs now = NowMs();
  for (Topic* t : topics) {
    Status s = t->EnforceRetention(now, &removed);
    if (first.ok() && !s.ok()) first = s;
  }
  for (const auto& line : removed) log::Info(kLog, "retention: {}", line);
  return first;
}

Status BrokerCore::Close() {
  {
    std::unique_lock<std::mutex> l(send_mu_);
    if (closing_) return close_status_;
    closing_ = true;
    sends_done_.wait(l, [&] { return active_sends_ == 0; });
  }
  closed_.store(true, std::memory_order_release);
  notifier_.NotifyAll();  // consumers blocked in Poll return Cancelled
  if (flusher_) flusher_->Stop();
  Status status;
  {
    std::unique_lock<std::shared_mutex> l(topics_mu_);
    for (auto& [name, t] : topics_) {
      Status s = t->Close();
      if (status.ok() && !s.ok()) status = s;
    }
  }
  {
    std::lock_guard<std::mutex> l(read_cache_mu_);
    read_cache_.clear();
  }
  if (offsets_) offsets_->Close();
  if (!read_only() && started_ && lock_ && status.ok()) {
    status = WriteFileAtomically(options_.data_dir + kCleanShutdownFile, "clean\n");
  }
  lock_.reset();
  close_status_ = status;
  return status;
}

}  // namespace rivven::embedded
