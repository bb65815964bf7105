#include "connectors/mysql/binlog_pump.h"

#include <algorithm>

namespace rivven::mysql {
namespace {

// Event buffers kept for reuse: enough for a queue of small events (a transaction of one row is
// four events of a few hundred bytes), at most kSpareBytes of capacity in all.
constexpr size_t kSpareBuffers = 4096;
constexpr size_t kSpareCapacity = 16u << 10;
constexpr size_t kSpareBytes = 1u << 20;

}  // namespace

Result<std::unique_ptr<BinlogPump>> BinlogPump::Start(const ConnectionParams& params,
                                                      const BinlogStream::Options& options,
                                                      size_t max_bytes) {
  RC_ASSIGN_OR_RETURN(auto stream, BinlogStream::Open(params, options));
  std::unique_ptr<BinlogPump> pump(new BinlogPump(std::move(stream), max_bytes));
  pump->thread_ = std::thread([p = pump.get()] { p->Run(); });
  return pump;
}

BinlogPump::~BinlogPump() { Stop(); }

void BinlogPump::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  room_.notify_all();
  stream_->Interrupt();
  if (thread_.joinable()) thread_.join();
  (void)stream_->Close();
}

void BinlogPump::Run() {
  while (true) {
    Result<RawEvent> event = stream_->Next();
    std::unique_lock<std::mutex> l(mu_);
    if (stopping_) return;
    if (!event.ok()) {
      error_ = event.status();
      wake_at_bytes_ = 0;
      ready_.notify_all();
      return;
    }
    // Wait for room; one event always fits, however large. Once full, wait until half is
    // taken, so the consumer does not wake this thread for every event it takes.
    if (queued_bytes_ >= max_bytes_) {
      producer_waiting_ = true;
      room_.wait(l, [&] { return stopping_ || queued_bytes_ <= max_bytes_ / 2; });
      producer_waiting_ = false;
    }
    if (stopping_) return;
    PumpedEvent pumped;
    if (!spare_.empty()) {
      pumped.bytes = std::move(spare_.back());
      spare_.pop_back();
      spare_bytes_ -= pumped.bytes.capacity();
    }
    pumped.bytes.assign(event->bytes.data(), event->bytes.size());
    queued_bytes_ += pumped.bytes.size();
    queue_.push_back(std::move(pumped));
    if (wake_at_bytes_ != 0 && queued_bytes_ >= wake_at_bytes_) {
      wake_at_bytes_ = 0;
      ready_.notify_one();
    }
  }
}

Result<std::optional<PumpedEvent>> BinlogPump::Next(std::chrono::milliseconds wait,
                                                    size_t min_bytes) {
  std::unique_lock<std::mutex> l(mu_);
  min_bytes = std::max<size_t>(min_bytes, 1);
  if (queued_bytes_ < min_bytes && error_.ok() && wait.count() > 0) {
    wake_at_bytes_ = min_bytes;
    ready_.wait_for(l, wait, [&] { return queued_bytes_ >= min_bytes || !error_.ok(); });
    wake_at_bytes_ = 0;
  }
  if (queue_.empty()) {
    if (!error_.ok()) return error_;
    return std::optional<PumpedEvent>();
  }
  PumpedEvent event = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= event.bytes.size();
  const bool wake_producer = producer_waiting_ && queued_bytes_ <= max_bytes_ / 2;
  l.unlock();
  if (wake_producer) room_.notify_one();
  return std::optional<PumpedEvent>(std::move(event));
}

Status BinlogPump::Take(std::deque<PumpedEvent>* out, std::chrono::milliseconds wait,
                        size_t min_bytes) {
  std::unique_lock<std::mutex> l(mu_);
  min_bytes = std::max<size_t>(min_bytes, 1);
  if (queued_bytes_ < min_bytes && error_.ok() && wait.count() > 0) {
    wake_at_bytes_ = min_bytes;
    ready_.wait_for(l, wait, [&] { return queued_bytes_ >= min_bytes || !error_.ok(); });
    wake_at_bytes_ = 0;
  }
  if (queue_.empty()) return error_;
  for (auto& e : queue_) out->push_back(std::move(e));
  queue_.clear();
  queued_bytes_ = 0;
  const bool wake_producer = producer_waiting_;
  l.unlock();
  if (wake_producer) room_.notify_one();
  return Status::Ok();
}

void BinlogPump::Recycle(std::deque<PumpedEvent>* events) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& e : *events) {
    if (spare_.size() >= kSpareBuffers || spare_bytes_ >= kSpareBytes) break;
    if (e.bytes.capacity() <= kSpareCapacity) {
      spare_bytes_ += e.bytes.capacity();
      spare_.push_back(std::move(e.bytes));
    }
  }
  events->clear();
}

void BinlogPump::Recycle(PumpedEvent event) {
  // Keep ordinary buffers; a huge one goes.
  if (event.bytes.capacity() > kSpareCapacity) return;
  std::lock_guard<std::mutex> l(mu_);
  if (spare_.size() < kSpareBuffers && spare_bytes_ < kSpareBytes) {
    spare_bytes_ += event.bytes.capacity();
    spare_.push_back(std::move(event.bytes));
  }
}

}  // namespace rivven::mysql
