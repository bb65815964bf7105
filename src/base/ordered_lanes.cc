#include "base/ordered_lanes.h"

namespace rivven {

OrderedLanes::OrderedLanes(size_t workers, size_t max_queued)
    : max_queued_(max_queued == 0 ? 1 : max_queued) {
  if (workers == 0) workers = 1;
  workers_.reserve(workers);
  for (size_t w = 0; w < workers; ++w) workers_.emplace_back([this, w] { Work(w); });
}

OrderedLanes::~OrderedLanes() {
  {
    std::lock_guard<std::mutex> l(mu_);
    shutdown_ = true;
  }
  work_.notify_all();
  for (auto& t : workers_) t.join();
}

size_t OrderedLanes::AddLane() {
  std::lock_guard<std::mutex> l(mu_);
  lanes_.emplace_back();
  return lanes_.size() - 1;
}

void OrderedLanes::Push(size_t lane, Job job) {
  {
    std::unique_lock<std::mutex> l(mu_);
    room_.wait(l, [&] { return queued_ < max_queued_ || lanes_.at(lane).stopped; });
    Lane& ln = lanes_.at(lane);
    if (ln.stopped) return;
    ln.jobs.push_back(std::move(job));
    ++queued_;
    // A worker is needed only when the lane is not being served already.
    if (ln.running) return;
  }
  work_.notify_one();
}

void OrderedLanes::Wait() {
  std::unique_lock<std::mutex> l(mu_);
  idle_.wait(l, [&] { return queued_ == 0 && running_ == 0; });
  for (Lane& ln : lanes_) ln.stopped = false;
}

ptrdiff_t OrderedLanes::NextLane() {
  const size_t n = lanes_.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (cursor_ + k) % n;
    if (!lanes_[i].running && !lanes_[i].jobs.empty()) {
      cursor_ = i + 1;
      return static_cast<ptrdiff_t>(i);
    }
  }
  return -1;
}

void OrderedLanes::Work(size_t worker) {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    ptrdiff_t lane = -1;
    work_.wait(l, [&] { return shutdown_ || (lane = NextLane()) >= 0; });
    if (shutdown_) return;
    // One job, then the lanes are looked at again in turn: no partition starves the others.
    Lane& ln = lanes_[static_cast<size_t>(lane)];  // deque elements stay where they are
    Job job = std::move(ln.jobs.front());
    ln.jobs.pop_front();
    --queued_;
    // Half empty before the owner is woken: not one wake-up per job.
    if (queued_ == max_queued_ / 2) room_.notify_all();
    ln.running = true;
    ++running_;
    l.unlock();
    const bool go_on = job(worker);
    l.lock();
    if (!go_on) {
      ln.stopped = true;
      queued_ -= ln.jobs.size();
      ln.jobs.clear();
      room_.notify_all();
    }
    ln.running = false;
    --running_;
    if (queued_ == 0 && running_ == 0) idle_.notify_all();
  }
}

}  // namespace rivven
