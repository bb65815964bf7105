#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "clients/mysql/binlog_stream.h"

namespace rivven::mysql {

/// One binlog event copied out of the stream.
struct PumpedEvent {
  std::string bytes;  ///< header + body + checksum, as received
};

/// Reads a BinlogStream on a thread of its own and hands its events over in order, so that the
/// source can wait with a deadline and stop promptly while the stream blocks on the network,
/// and so that receiving overlaps decoding. At most `max_bytes` of events wait (back-pressure
/// on the server through TCP); event buffers are reused.
///
/// Owner: the source's poll thread calls Next/Recycle/Stop; the pump's thread only reads.
class BinlogPump {
 public:
  ~BinlogPump();
  BinlogPump(const BinlogPump&) = delete;
  BinlogPump& operator=(const BinlogPump&) = delete;

  /// Opens the stream in the calling thread (its errors, e.g. a purged binlog, come back here)
  /// and starts reading.
  static Result<std::unique_ptr<BinlogPump>> Start(const ConnectionParams& params,
                                                   const BinlogStream::Options& options,
                                                   size_t max_bytes = 4u << 20);

  /// The next event, waiting up to `wait`; nullopt when none came in time. With `min_bytes`,
  /// a wait ends early only once that many bytes of events are queued (at `wait`, whatever is
  /// there is taken): a consumer that already has work lets events pile up instead of being
  /// woken for each. The stream's error once it failed (every later call returns it too).
  Result<std::optional<PumpedEvent>> Next(std::chrono::milliseconds wait, size_t min_bytes = 1);
  /// Gives an event's buffer back for reuse.
  void Recycle(PumpedEvent event);
  /// Moves every queued event to the end of `*out`, waiting as Next does when fewer than
  /// `min_bytes` are queued: one lock for many events. Ok with nothing moved on timeout; the
  /// stream's error once it failed and nothing is left.
  Status Take(std::deque<PumpedEvent>* out, std::chrono::milliseconds wait, size_t min_bytes = 1);
  /// Gives the buffers of `events` back for reuse and empties it.
  void Recycle(std::deque<PumpedEvent>* events);
  /// Interrupts the stream and joins the thread. Idempotent.
  void Stop();

 private:
  BinlogPump(std::unique_ptr<BinlogStream> stream, size_t max_bytes)
      : stream_(std::move(stream)), max_bytes_(max_bytes) {}
  void Run();

  std::unique_ptr<BinlogStream> stream_;
  const size_t max_bytes_;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable ready_;  ///< an event or an error arrived
  std::condition_variable room_;   ///< bytes were taken
  std::deque<PumpedEvent> queue_;
  size_t queued_bytes_ = 0;
  std::vector<std::string> spare_;  ///< buffers to reuse
  size_t spare_bytes_ = 0;          ///< their capacity
  Status error_;                    ///< sticky, once the stream failed
  bool stopping_ = false;
  size_t wake_at_bytes_ = 0;  ///< a waiting consumer's min_bytes; 0 when none waits
  bool producer_waiting_ = false;  ///< the reader waits for the queue to drain to half
};

}  // namespace rivven::mysql
