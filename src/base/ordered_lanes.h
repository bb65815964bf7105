#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rivven {

/// Runs jobs on a fixed number of worker threads: the jobs of one lane one after the other in
/// the order pushed, different lanes in parallel (a lane is a partition: its order is kept while
/// partitions go out side by side). A job returns false when its lane must stop: the lane's
/// later jobs are dropped, and so are those pushed to it until the next Wait.
///
/// Push and Wait come from one thread (the owner); jobs run on the workers.
class OrderedLanes {
 public:
  /// A job gets the index of the worker that runs it (0 .. workers-1), e.g. to pick a connection.
  using Job = std::move_only_function<bool(size_t worker)>;

  /// `max_queued` bounds the jobs waiting (memory): Push waits for room beyond it.
  OrderedLanes(size_t workers, size_t max_queued);
  /// Stops the workers after their current job; jobs still queued are dropped.
  ~OrderedLanes();
  OrderedLanes(const OrderedLanes&) = delete;
  OrderedLanes& operator=(const OrderedLanes&) = delete;

  /// A new lane's id.
  size_t AddLane();
  /// Queues `job` behind the lane's earlier ones; waits while `max_queued` jobs are queued.
  void Push(size_t lane, Job job);
  /// Returns when every job pushed so far has run or been dropped; the lanes' stopped marks are
  /// cleared for what is pushed next.
  void Wait();

 private:
  struct Lane {
    std::deque<Job> jobs;
    bool running = false;  ///< a worker runs one of its jobs
    bool stopped = false;  ///< a job returned false since the last Wait
  };
  void Work(size_t worker);
  /// A lane with a job and no job running, starting after the last one served; -1 when none.
  ptrdiff_t NextLane();

  std::mutex mu_;
  std::condition_variable work_;  ///< a job was pushed, or shutting down
  std::condition_variable idle_;  ///< a job finished
  std::condition_variable room_;  ///< the queue went down to half of max_queued_
  const size_t max_queued_;
  std::deque<Lane> lanes_;
  size_t queued_ = 0;   ///< jobs in the lanes' queues
  size_t running_ = 0;  ///< jobs running
  size_t cursor_ = 0;   ///< where NextLane starts looking
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace rivven
