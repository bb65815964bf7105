#include "runtime/bounded_queue.h"

#include <thread>

#include <gtest/gtest.h>

#include "runtime/backoff.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueueTest, BlocksProducerWhenFullByCountAndBytes) {
  BoundedQueue<int> q(2, 100);
  EXPECT_TRUE(q.Push(1, 10));
  EXPECT_TRUE(q.Push(2, 10));
  std::atomic<bool> pushed{false};
  std::thread t([&] {
    q.Push(3, 10);
    pushed = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(*q.Pop(10ms), 1);
  t.join();
  EXPECT_TRUE(pushed.load());

  BoundedQueue<int> bytes(10, 100);
  EXPECT_TRUE(bytes.Push(1, 90));
  std::atomic<bool> second{false};
  std::thread u([&] {
    bytes.Push(2, 20);
    second = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(second.load());
  EXPECT_EQ(*bytes.Pop(10ms), 1);
  u.join();
}

TEST(BoundedQueueTest, OversizedItemIsAdmittedIntoEmptyQueue) {
  BoundedQueue<int> q(4, 10);
  EXPECT_TRUE(q.Push(7, 1000));
  EXPECT_EQ(*q.TryPop(), 7);
}

TEST(BoundedQueueTest, CloseWakesAndDrains) {
  BoundedQueue<int> q(4, 100);
  q.Push(1, 1);
  q.Close();
  EXPECT_FALSE(q.Push(2, 1));
  EXPECT_EQ(*q.Pop(10ms), 1);
  EXPECT_FALSE(q.Pop(10ms).has_value());
  EXPECT_TRUE(q.closed_and_empty());
}

TEST(BackoffTest, GrowsWithJitterUpToMax) {
  BackoffOptions o;
  o.initial = 100ms;
  o.max = 1000ms;
  o.jitter = 0.2;
  Backoff b(o, 1);
  auto d1 = b.Next();
  auto d2 = b.Next();
  auto d3 = b.Next();
  EXPECT_GE(d1.count(), 80);
  EXPECT_LE(d1.count(), 120);
  EXPECT_GE(d2.count(), 160);
  EXPECT_LE(d2.count(), 240);
  EXPECT_GE(d3.count(), 320);
  for (int i = 0; i < 20; ++i) EXPECT_LE(b.Next().count(), 1000);
  b.Reset();
  EXPECT_LE(b.Next().count(), 120);
}

}  // namespace
}  // namespace rivven
