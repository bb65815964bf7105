#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "clients/mysql/binlog_stream.h"

namespace rivven::mysql {

/// Binlog events copied out of the stream back to back into one buffer: a transaction of
/// small events sits in a few cache lines, not in an allocation per event.
struct EventSlab {
  std::string bytes;           ///< the events, each header + body + checksum as received
  std::vector<uint32_t> ends;  ///< where each event ends in `bytes`

  size_t events() const { return ends.size(); }
  std::string_view event(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  void clear() {
    bytes.clear();
    ends.clear();
  }
};

/// Events taken from a BinlogPump, in order, consumed from the front.
class PumpedEvents {
 public:
  bool empty() const { return slabs_.empty(); }
  /// The first event not yet consumed. Valid until Pop() moves past its slab.
  std::string_view front() const { return slabs_.front().event(next_); }
  /// Consumes the front event; a slab whose events are all consumed moves to `*done`.
  void Pop(std::vector<EventSlab>* done);

 private:
  friend class BinlogPump;
  std::deque<EventSlab> slabs_;  ///< none empty
  size_t next_ = 0;              ///< the front slab's first event not consumed
};

/// Reads a BinlogStream on a thread of its own and hands its events over in order, so that the
/// source can wait with a deadline and stop promptly while the stream blocks on the network,
/// and so that receiving overlaps decoding. At most `max_bytes` of events wait (back-pressure
/// on the server through TCP); slabs are reused.
///
/// Owner: the source's poll thread calls Take/Recycle/Stop; the pump's thread only reads.
class BinlogPump {
 public:
  ~BinlogPump();
  BinlogPump(const BinlogPump&) = delete;
  BinlogPump& operator=(const BinlogPump&) = delete;

  /// Starts reading an opened stream on a thread of its own.
  static std::unique_ptr<BinlogPump> Start(std::unique_ptr<BinlogStream> stream,
                                           size_t max_bytes = 4u << 20);

  /// Moves every queued event to the end of `*out`: one lock for many events. When fewer than
  /// `min_bytes` are queued, waits up to `wait` for that many first (at `wait`, whatever is
  /// there is taken): a consumer that already has work lets events pile up instead of being
  /// woken for each. Ok with nothing moved on timeout; the stream's error once it failed and
  /// nothing is left (every later call returns it too).
  Status Take(PumpedEvents* out, std::chrono::milliseconds wait, size_t min_bytes = 1);
  /// Gives consumed slabs back for reuse and empties `*slabs`.
  void Recycle(std::vector<EventSlab>* slabs);
  /// Interrupts the stream and joins the thread. Idempotent.
  void Stop();

 private:
  BinlogPump(std::unique_ptr<BinlogStream> stream, size_t max_bytes)
      : stream_(std::move(stream)), max_bytes_(max_bytes) {}
  void Run();
  /// Queues a slab the reader filled and gives it an empty one; false once stopping.
  bool Publish(EventSlab* filled);
  EventSlab FreshSlab();
  EventSlab FreshSlabLocked();  // with mu_ held

  std::unique_ptr<BinlogStream> stream_;
  const size_t max_bytes_;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable ready_;  ///< events or an error arrived
  std::condition_variable room_;   ///< bytes were taken
  std::deque<EventSlab> queue_;    ///< filled slabs, in order
  size_t queued_bytes_ = 0;
  std::vector<EventSlab> spare_;  ///< slabs to reuse
  Status error_;                  ///< sticky, once the stream failed
  bool stopping_ = false;
  size_t wake_at_bytes_ = 0;       ///< a waiting consumer's min_bytes; 0 when none waits
  bool producer_waiting_ = false;  ///< the reader waits for the queue to drain to half
};

}  // namespace rivven::mysql
