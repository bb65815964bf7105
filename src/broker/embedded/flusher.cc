#include "broker/embedded/flusher.h"

#include "base/log.h"
#include "broker/embedded/partition_log.h"

namespace rivven::embedded {
namespace {

constexpr int kSyncHelpers = 2;

void SyncOne(PartitionLog* log) {
  // Cleared before the sync: an append that lands during it queues the partition again.
  log->ClearDirty();
  Status s = log->Sync();
  if (!s.ok()) log::Error("broker", "group commit: {}", s.ToString());
}

}  // namespace

Flusher::Flusher(int64_t flush_interval_ms, WatermarkNotifier* notifier,
                 std::chrono::milliseconds housekeeping_interval,
                 std::function<void()> housekeeping)
    : flush_interval_ms_(flush_interval_ms),
      notifier_(notifier),
      housekeeping_interval_(housekeeping_interval),
      housekeeping_(std::move(housekeeping)) {}

Flusher::~Flusher() { Stop(); }

void Flusher::Start() {
  for (int i = 0; i < kSyncHelpers; ++i) helpers_.emplace_back([this] { Helper(); });
  thread_ = std::thread([this] { Run(); });
}

void Flusher::MarkDirty(PartitionLog* log) {
  if (!log->MarkDirty()) return;  // already queued
  bool wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    wake = dirty_.empty();
    dirty_.push_back(log);
  }
  if (wake) cv_.notify_one();
}

void Flusher::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> l(round_mu_);
    helpers_stop_ = true;
  }
  round_cv_.notify_all();
  for (auto& h : helpers_) h.join();
  helpers_.clear();
}

void Flusher::WorkOnRound() {
  while (true) {
    PartitionLog* log;
    {
      std::lock_guard<std::mutex> l(round_mu_);
      if (round_ == nullptr || round_next_ >= round_->size()) return;
      log = (*round_)[round_next_++];
    }
    SyncOne(log);
    std::lock_guard<std::mutex> l(round_mu_);
    if (--round_pending_ == 0) round_done_cv_.notify_all();
  }
}

void Flusher::Helper() {
  while (true) {
    {
      std::unique_lock<std::mutex> l(round_mu_);
      round_cv_.wait(
          l, [&] { return helpers_stop_ || (round_ != nullptr && round_next_ < round_->size()); });
      if (helpers_stop_) return;
    }
    WorkOnRound();
  }
}

void Flusher::SyncRound(std::vector<PartitionLog*>& batch) {
  if (batch.size() == 1 || helpers_.empty()) {
    for (PartitionLog* log : batch) SyncOne(log);
  } else {
    for (PartitionLog* log : batch) log->StartWriteback();
    {
      std::lock_guard<std::mutex> l(round_mu_);
      round_ = &batch;
      round_next_ = 0;
      round_pending_ = batch.size();
    }
    round_cv_.notify_all();
    WorkOnRound();
    std::unique_lock<std::mutex> l(round_mu_);
    round_done_cv_.wait(l, [&] { return round_pending_ == 0; });
    round_ = nullptr;
  }
  batch.clear();
  notifier_->NotifyAll();
}

void Flusher::Run() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(flush_interval_ms_);
  auto next_housekeeping = Clock::now() + housekeeping_interval_;
  auto last_flush = Clock::now();
  std::vector<PartitionLog*> batch;
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    // Idle until something is dirty: no periodic wakeups beyond housekeeping.
    cv_.wait_until(l, next_housekeeping, [&] { return stop_ || !dirty_.empty(); });
    if (!dirty_.empty() && !stop_ && flush_interval_ms_ > 0) {
      // flush_interval_ms mode: let appends accumulate for the interval the user chose.
      cv_.wait_until(l, last_flush + interval, [&] { return stop_; });
    }
    const bool stopping = stop_;
    // On Stop, appends that raced with it have queued themselves again: take them too.
    while (!dirty_.empty()) {
      batch.swap(dirty_);
      l.unlock();
      SyncRound(batch);
      l.lock();
      last_flush = Clock::now();
      if (!stopping) break;
    }
    if (stopping) return;
    if (Clock::now() >= next_housekeeping) {
      l.unlock();
      if (housekeeping_) housekeeping_();
      l.lock();
      next_housekeeping = Clock::now() + housekeeping_interval_;
    }
  }
}

}  // namespace rivven::embedded
