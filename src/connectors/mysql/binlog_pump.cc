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

std::unique_ptr<BinlogPump> BinlogPump::Start(std::unique_ptr<BinlogStream> stream,
                                              size_t max_bytes) {
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

EventSlab BinlogPump::FreshSlab() {
  std::lock_guard<std::mutex> l(mu_);
  return FreshSlabLocked();
}

EventSlab BinlogPump::FreshSlabLocked() {
  if (spare_.empty()) {
    EventSlab slab;
    slab.bytes.reserve(kSlabBytes);
    return slab;
  }
  EventSlab slab = std::move(spare_.back());
  spare_.pop_back();
  return slab;
}

bool BinlogPump::Publish(EventSlab* filled) {
  std::unique_lock<std::mutex> l(mu_);
  if (stopping_) return false;
  // Wait for room; one slab always fits, however large. Once full, wait until half is taken,
  // so the consumer does not wake this thread for every slab it takes.
  if (queued_bytes_ >= max_bytes_) {
    producer_waiting_ = true;
    room_.wait(l, [&] { return stopping_ || queued_bytes_ <= max_bytes_ / 2; });
    producer_waiting_ = false;
    if (stopping_) return false;
  }
  queued_bytes_ += filled->bytes.size();
  if (!queue_.empty() && queue_.back().bytes.size() + filled->bytes.size() <= kSlabBytes) {
    // The consumer has not taken the last slab yet: join it rather than queue another one
    // with a slab's capacity for a few events.
    EventSlab& last = queue_.back();
    const auto base = static_cast<uint32_t>(last.bytes.size());
    last.bytes.append(filled->bytes);
    for (const uint32_t end : filled->ends) last.ends.push_back(base + end);
    filled->clear();
  } else {
    queue_.push_back(std::move(*filled));
    *filled = FreshSlabLocked();
  }
  if (wake_at_bytes_ != 0 && queued_bytes_ >= wake_at_bytes_) {
    wake_at_bytes_ = 0;
    ready_.notify_one();
  }
  return true;
}

void BinlogPump::Run() {
  // Events are copied into a slab of this thread's own, without the lock, and the slab is
  // handed over when it is full or when the stream has nothing more at hand (the next read
  // would wait for the network): one lock per burst of events, and no event waits here while
  // this thread blocks.
  EventSlab filling = FreshSlab();
  while (true) {
    Result<RawEvent> event = stream_->Next();
    if (!event.ok()) {
      if (!filling.bytes.empty() && !Publish(&filling)) return;
      std::lock_guard<std::mutex> l(mu_);
      if (stopping_) return;
      error_ = event.status();
      wake_at_bytes_ = 0;
      ready_.notify_all();
      return;
    }
    const std::string_view bytes = event->bytes;
    if (!filling.bytes.empty() && filling.bytes.size() + bytes.size() > kSlabBytes &&
        !Publish(&filling)) {
      return;
    }
    filling.bytes.append(bytes);
    filling.ends.push_back(static_cast<uint32_t>(filling.bytes.size()));
    if ((filling.bytes.size() >= kSlabBytes || !stream_->buffered()) && !Publish(&filling)) {
      return;
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
