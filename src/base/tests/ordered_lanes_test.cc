// OrderedLanes: per-lane order, lanes in parallel, stopped lanes, shutdown.
#include "base/ordered_lanes.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace rivven {
namespace {

using namespace std::chrono_literals;

TEST(OrderedLanesTest, EachLaneRunsInOrderWhileLanesRunSideBySide) {
  std::mutex mu;
  std::vector<std::vector<int>> seen(3);
  std::atomic<int> running{0}, most{0};
  std::set<size_t> workers_used;
  {
    OrderedLanes lanes(3, 1000);
    std::vector<size_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(lanes.AddLane());
    for (int n = 0; n < 30; ++n) {
      for (size_t l = 0; l < 3; ++l) {
        lanes.Push(ids[l], [&, l, n](size_t worker) {
          const int now = ++running;
          for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
          }
          std::this_thread::sleep_for(200us);
          {
            std::lock_guard<std::mutex> g(mu);
            seen[l].push_back(n);
            workers_used.insert(worker);
          }
          --running;
          return true;
        });
      }
    }
    lanes.Wait();
    for (const auto& s : seen) {
      ASSERT_EQ(s.size(), 30u);
      for (int n = 0; n < 30; ++n) EXPECT_EQ(s[static_cast<size_t>(n)], n);
    }
  }
  EXPECT_GT(most.load(), 1);
  for (size_t w : workers_used) EXPECT_LT(w, 3u);
}

TEST(OrderedLanesTest, AFailedJobDropsTheLanesLaterJobsUntilWait) {
  OrderedLanes lanes(2, 1000);
  const size_t bad = lanes.AddLane(), good = lanes.AddLane();
  std::atomic<int> bad_ran{0}, good_ran{0};
  std::atomic<bool> release{false};
  // The failing job waits so that later jobs of its lane are queued behind it.
  lanes.Push(bad, [&](size_t) {
    while (!release) std::this_thread::sleep_for(1ms);
    ++bad_ran;
    return false;
  });
  for (int i = 0; i < 5; ++i) {
    lanes.Push(bad, [&](size_t) { ++bad_ran; return true; });
    lanes.Push(good, [&](size_t) { ++good_ran; return true; });
  }
  release = true;
  lanes.Wait();
  EXPECT_EQ(bad_ran.load(), 1);
  EXPECT_EQ(good_ran.load(), 5);
  // Pushed after the failure but before Wait: dropped too (checked with a fresh failure).
  lanes.Push(bad, [&](size_t) { ++bad_ran; return false; });
  lanes.Wait();
  EXPECT_EQ(bad_ran.load(), 2) << "Wait clears the stop: the lane takes jobs again";
  std::atomic<bool> stopped_lane_ran{false};
  lanes.Push(bad, [&](size_t) { return false; });
  std::this_thread::sleep_for(20ms);  // the failure is in; this one comes after it
  lanes.Push(bad, [&](size_t) { stopped_lane_ran = true; return true; });
  lanes.Wait();
  EXPECT_FALSE(stopped_lane_ran.load());
}

TEST(OrderedLanesTest, DestroyingDropsQueuedJobsAfterTheRunningOne) {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  {
    OrderedLanes lanes(1, 1000);
    const size_t lane = lanes.AddLane();
    lanes.Push(lane, [&](size_t) {
      started = true;
      std::this_thread::sleep_for(30ms);
      ++ran;
      return true;
    });
    for (int i = 0; i < 10; ++i) lanes.Push(lane, [&](size_t) { ++ran; return true; });
    while (!started) std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(ran.load(), 1);
}

TEST(OrderedLanesTest, PushWaitsWhileTheQueueIsFull) {
  OrderedLanes lanes(1, 4);
  const size_t lane = lanes.AddLane();
  std::atomic<bool> started{false}, release{false};
  std::atomic<int> ran{0};
  lanes.Push(lane, [&](size_t) {  // running: not queued
    started = true;
    while (!release) std::this_thread::sleep_for(1ms);
    ++ran;
    return true;
  });
  while (!started) std::this_thread::sleep_for(1ms);
  for (int i = 0; i < 4; ++i) lanes.Push(lane, [&](size_t) { ++ran; return true; });
  std::atomic<bool> fifth_pushed{false};
  std::thread pusher([&] {
    lanes.Push(lane, [&](size_t) { ++ran; return true; });
    fifth_pushed = true;
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(fifth_pushed.load()) << "four are queued: the fifth waits for room";
  release = true;
  pusher.join();
  EXPECT_TRUE(fifth_pushed.load());
  lanes.Wait();
  EXPECT_EQ(ran.load(), 6);
}

TEST(OrderedLanesTest, WaitWithNothingPushedReturns) {
  OrderedLanes lanes(2, 1000);
  lanes.AddLane();
  lanes.Wait();
  SUCCEED();
}

}  // namespace
}  // namespace rivven
