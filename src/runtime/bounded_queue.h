#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace rivven {

/// A FIFO between two threads, bounded by item count and by bytes, so a slow consumer slows
/// its producer and memory stays flat. Push blocks while full (one oversized item is always
/// admitted into an empty queue so nothing can wedge). Close() wakes everyone: pushes fail,
/// pops drain what is left. Thread-safe.
template <typename T>
class BoundedQueue {
 public:
  BoundedQueue(size_t max_items, size_t max_bytes) : max_items_(max_items), max_bytes_(max_bytes) {}

  /// False when the queue was closed (the item is dropped back to the caller's ownership loss:
  /// callers only close after their producer stopped).
  bool Push(T item, size_t bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] {
      return closed_ || items_.empty() || (items_.size() < max_items_ && bytes_ + bytes <= max_bytes_);
    });
    if (closed_) return false;
    bytes_ += bytes;
    items_.emplace_back(std::move(item), bytes);
    not_empty_.notify_one();
    return true;
  }

  /// Waits up to `timeout` for an item. nullopt on timeout or when closed and empty.
  template <typename Rep, typename Period>
  std::optional<T> Pop(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) {
      return std::nullopt;
    }
    return PopLocked();
  }

  /// An item if one is ready now.
  std::optional<T> TryPop() {
    std::lock_guard<std::mutex> lock(mu_);
    return PopLocked();
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool closed_and_empty() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ && items_.empty();
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

  /// Blocks until the queue is empty (every pushed item was popped) or `timeout` passes.
  template <typename Rep, typename Period>
  bool WaitEmpty(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return not_full_.wait_for(lock, timeout, [&] { return items_.empty(); });
  }

 private:
  std::optional<T> PopLocked() {
    if (items_.empty()) return std::nullopt;
    auto [item, bytes] = std::move(items_.front());
    items_.pop_front();
    bytes_ -= bytes;
    not_full_.notify_all();
    return std::move(item);
  }

  const size_t max_items_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::pair<T, size_t>> items_;
  size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace rivven
