#include "connectors/mysql/binlog_pump.h"

#include <algorithm>

namespace rivven::mysql {
namespace {

// A slab takes events until it holds this many bytes (one larger event gets a slab of its
// own); slabs grown past kSpareCapacity by such an event are not kept, nor more than
// kSpareSlabs of them.
constexpr size_t kSlabBytes = 64u << 10;
constexpr size_t kSpareCapacity = 2 * kSlabBytes;
constexpr size_t kSpareSlabs = 32;

}  // namespace

void PumpedEvents::Pop(std::vector<EventSlab>* done) {
  if (++next_ < slabs_.front().events()) return;
  done->push_back(std::move(slabs_.front()));
  slabs_.pop_front();
  next_ = 0;
}

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

void BinlogPump::Append(std::string_view event) {
  if (queue_.empty() || (!queue_.back().bytes.empty() &&
                         queue_.back().bytes.size() + event.size() > kSlabBytes)) {
    if (spare_.empty()) {
      queue_.emplace_back().bytes.reserve(kSlabBytes);
    } else {
      queue_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
  }
  EventSlab& slab = queue_.back();
  slab.bytes.append(event);
  slab.ends.push_back(static_cast<uint32_t>(slab.bytes.size()));
  queued_bytes_ += event.size();
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
    Append(event->bytes);
    if (wake_at_bytes_ != 0 && queued_bytes_ >= wake_at_bytes_) {
      wake_at_bytes_ = 0;
      ready_.notify_one();
    }
  }
}

Status BinlogPump::Take(PumpedEvents* out, std::chrono::milliseconds wait, size_t min_bytes) {
  std::unique_lock<std::mutex> l(mu_);
  min_bytes = std::max<size_t>(min_bytes, 1);
  if (queued_bytes_ < min_bytes && error_.ok() && wait.count() > 0) {
    wake_at_bytes_ = min_bytes;
    ready_.wait_for(l, wait, [&] { return queued_bytes_ >= min_bytes || !error_.ok(); });
    wake_at_bytes_ = 0;
  }
  if (queue_.empty()) return error_;
  for (auto& slab : queue_) out->slabs_.push_back(std::move(slab));
  queue_.clear();
  queued_bytes_ = 0;
  const bool wake_producer = producer_waiting_;
  l.unlock();
  if (wake_producer) room_.notify_one();
  return Status::Ok();
}

void BinlogPump::Recycle(std::vector<EventSlab>* slabs) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& slab : *slabs) {
    if (spare_.size() >= kSpareSlabs) break;
    if (slab.bytes.capacity() <= kSpareCapacity) {
      slab.clear();
      spare_.push_back(std::move(slab));
    }
  }
  slabs->clear();
}

}  // namespace rivven::mysql
