#include "broker/embedded/embedded_broker.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "broker/embedded/tests/test_util.h"
#include "record/partitioner.h"

namespace rivven {
namespace {

using embedded::testing::MakeRecord;
using embedded::testing::MakeRecords;
using embedded::testing::TempDir;
using namespace std::chrono_literals;

std::unique_ptr<EmbeddedBroker> Open(const std::string& dir, int64_t flush_interval_ms = 0,
                                     bool read_only = false) {
  EmbeddedBrokerOptions o;
  o.data_dir = dir;
  o.flush_interval_ms = flush_interval_ms;
  o.read_only = read_only;
  auto b = OpenEmbeddedBroker(o);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

TopicSpec Partitions(int32_t n) {
  TopicSpec s;
  s.partitions = n;
  return s;
}

/// Polls until `n` records arrived (or 5 s passed).
std::vector<ConsumedRecord> PollN(Consumer& c, size_t n) {
  std::vector<ConsumedRecord> all;
  const auto deadline = SteadyClock::now() + 5s;
  while (all.size() < n && SteadyClock::now() < deadline) {
    auto got = c.Poll(n - all.size(), 100ms);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) break;
    for (auto& r : *got) all.push_back(std::move(r));
  }
  return all;
}

TEST(EmbeddedBrokerTest, TopicsAreCreatedListedDescribedAndInternalOnesHidden) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("orders", Partitions(3)).ok());
  ASSERT_TRUE(b->CreateTopic("__internal", Partitions(1)).ok());
  EXPECT_EQ(b->CreateTopic("orders", Partitions(3)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(b->CreateTopic("bad/name", Partitions(1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b->CreateTopic("zero", Partitions(0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*b->ListTopics(), std::vector<std::string>{"orders"});
  auto info = b->DescribeTopic("orders");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->partitions.size(), 3u);
  EXPECT_EQ(info->spec.partitions, 3);
  EXPECT_EQ(b->DescribeTopic("nope").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(std::filesystem::exists(dir / "topics/orders/topic.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "topics/orders/2/00000000000000000000.log"));
  ASSERT_TRUE(b->Close().ok());
  b = Open(dir.path());
  EXPECT_EQ(*b->ListTopics(), std::vector<std::string>{"orders"});
  EXPECT_EQ(b->DescribeTopic("orders")->partitions.size(), 3u);
}

TEST(EmbeddedBrokerTest, KeyedRecordsGoToMurmur2PartitionAndKeylessStickToOnePerSend) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(5)).ok());
  auto p = b->NewProducer();
  ASSERT_TRUE(p.ok());
  std::vector<Record> keyed;
  for (int i = 0; i < 200; ++i) keyed.push_back(MakeRecord("v", "key-" + std::to_string(i)));
  ASSERT_TRUE((*p)->Send("t", keyed).ok());
  for (int call = 0; call < 10; ++call) {
    auto keyless = MakeRecords(7, "call" + std::to_string(call) + "-");
    ASSERT_TRUE((*p)->Send("t", keyless).ok());
  }
  auto c = b->NewConsumer("g", {"t"});
  ASSERT_TRUE(c.ok());
  auto all = PollN(**c, 270);
  ASSERT_EQ(all.size(), 270u);
  std::map<std::string, std::set<int32_t>> partitions_of_call;
  std::map<int32_t, int> keyless_per_partition;
  for (const auto& r : all) {
    if (r.record.key) {
      EXPECT_EQ(r.partition, PartitionForKey(*r.record.key, 5)) << *r.record.key;
    } else {
      partitions_of_call[r.record.value->substr(0, r.record.value->find('-'))].insert(r.partition);
      ++keyless_per_partition[r.partition];
    }
  }
  EXPECT_EQ(partitions_of_call.size(), 10u);
  for (const auto& [call, parts] : partitions_of_call) EXPECT_EQ(parts.size(), 1u) << call;
  EXPECT_EQ(keyless_per_partition.size(), 5u) << "successive sends rotate over partitions";
}

TEST(EmbeddedBrokerTest, RecordTopicFieldRoutesAndUnknownTopicIsNotFound) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("a", Partitions(1)).ok());
  ASSERT_TRUE(b->CreateTopic("b", Partitions(2)).ok());
  auto p = b->NewProducer();
  std::vector<Record> recs = MakeRecords(4);
  recs[1].topic = "b";
  recs[3].topic = "b";
  ASSERT_TRUE((*p)->Send("a", recs).ok());
  EXPECT_EQ(b->DescribeTopic("a")->partitions[0].end_offset, Offset(2));
  auto cb = b->NewConsumer("g", {"b"});
  auto got = PollN(**cb, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].topic, "b");
  EXPECT_TRUE(got[0].record.topic.empty());
  EXPECT_EQ(*got[0].record.value, "v1");
  EXPECT_EQ(*got[1].record.value, "v3");

  std::vector<Record> lost = MakeRecords(2);
  lost[1].topic = "missing";
  EXPECT_EQ((*p)->Send("a", lost).code(), StatusCode::kNotFound);
  std::vector<Record> to_missing = MakeRecords(1);
  EXPECT_EQ((*p)->Send("missing", to_missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(b->DescribeTopic("a")->partitions[0].end_offset, Offset(2)) << "nothing half-sent";
}

TEST(EmbeddedBrokerTest, ZeroTimestampsGetTheAppendTime) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
  auto p = b->NewProducer();
  auto recs = MakeRecords(2);
  recs[1].timestamp_ms = 1234;
  const TimestampMs before = NowMs();
  ASSERT_TRUE((*p)->Send("t", recs).ok());
  const TimestampMs after = NowMs();
  auto got = b->Read("t", 0, Offset(0), 10, 0ms);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_GE((*got)[0].record.timestamp_ms, before);
  EXPECT_LE((*got)[0].record.timestamp_ms, after);
  EXPECT_EQ((*got)[1].record.timestamp_ms, 1234);
}

TEST(EmbeddedBrokerTest, ConsumerGroupCommitsAndResumesAfterReopen) {
  TempDir dir;
  {
    auto b = Open(dir.path());
    ASSERT_TRUE(b->CreateTopic("t", Partitions(3)).ok());
    auto p = b->NewProducer();
    for (int i = 0; i < 30; ++i) {
      std::vector<Record> one{MakeRecord("v" + std::to_string(i), "k" + std::to_string(i))};
      ASSERT_TRUE((*p)->Send("t", one).ok());
    }
    auto c = b->NewConsumer("sink", {"t"});
    auto first = PollN(**c, 12);
    ASSERT_EQ(first.size(), 12u);
    ASSERT_TRUE((*c)->Commit((*c)->Positions()).ok());
  }
  auto b = Open(dir.path());
  auto committed = b->CommittedOffsets("sink", "t");
  ASSERT_TRUE(committed.ok());
  int64_t total = 0;
  for (const auto& o : *committed) total += o.offset.value();
  EXPECT_EQ(total, 12);
  auto c = b->NewConsumer("sink", {"t"});
  auto rest = PollN(**c, 18);
  EXPECT_EQ(rest.size(), 18u) << "resumes where the group committed";
  EXPECT_TRUE((*c)->Poll(100, 50ms)->empty());
  std::set<int64_t> seen;
  for (const auto& r : rest) seen.insert(std::stoi(r.record.value->substr(1)));
  EXPECT_EQ(seen.size(), 18u);
  auto other = b->NewConsumer("other", {"t"});
  EXPECT_EQ(PollN(**other, 30).size(), 30u) << "a new group starts at the earliest offset";
  EXPECT_TRUE(b->CommittedOffsets("nobody", "t")->empty());
}

TEST(EmbeddedBrokerTest, RecycledRecordsAreDecodedIntoWithoutStaleFields) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
  auto p = b->NewProducer();
  std::vector<Record> first(3);
  for (auto& r : first) {
    r.key = "a-key";
    r.value = std::string(100, 'v');
    r.headers = {{"h1", "x"}, {"h2", "y"}};
  }
  ASSERT_TRUE((*p)->Send("t", first).ok());
  std::vector<Record> second(3);  // no key, no headers, a null value in the middle
  second[0].value = "short";
  second[2].value = std::string(50, 'w');
  ASSERT_TRUE((*p)->Send("t", second).ok());

  auto c = b->NewConsumer("g", {"t"});
  auto got = (*c)->Poll(3, 1s);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  std::set<const char*> buffers;
  for (const auto& r : *got) buffers.insert(r.record.value->data());
  (*c)->Recycle(*got);
  EXPECT_TRUE(got->empty());

  auto next = (*c)->Poll(3, 1s);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 3u);
  for (const auto& r : *next) {
    EXPECT_FALSE(r.record.key.has_value());
    EXPECT_TRUE(r.record.headers.empty());
    EXPECT_TRUE(r.record.topic.empty());
    EXPECT_EQ(r.topic, "t");
  }
  EXPECT_EQ((*next)[0].record.value, "short");
  EXPECT_FALSE((*next)[1].record.value.has_value());
  EXPECT_EQ((*next)[2].record.value, std::string(50, 'w'));
  EXPECT_EQ((*next)[0].offset.value(), 3);
  // The strings' buffers are the recycled ones.
  EXPECT_TRUE(buffers.count((*next)[0].record.value->data()) ||
              buffers.count((*next)[2].record.value->data()));
}

TEST(EmbeddedBrokerTest, PollSharesFairlyAcrossPartitions) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(3)).ok());
  auto p = b->NewProducer();
  for (int call = 0; call < 3; ++call) {  // sticky: one partition per call
    auto recs = MakeRecords(1000);
    ASSERT_TRUE((*p)->Send("t", recs).ok());
  }
  auto c = b->NewConsumer("g", {"t"});
  auto got = (*c)->Poll(300, 1s);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 300u);
  std::map<int32_t, int> per;
  for (const auto& r : *got) ++per[r.partition];
  EXPECT_EQ(per.size(), 3u);
  for (const auto& [part, n] : per) EXPECT_EQ(n, 100) << part;
}

TEST(EmbeddedBrokerTest, WaitingPollWakesOnAppendFromAnotherThreadAndOnWakeup) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(2)).ok());
  auto c = b->NewConsumer("g", {"t"});
  std::thread producer([&] {
    std::this_thread::sleep_for(200ms);
    auto p = b->NewProducer();
    auto recs = MakeRecords(3);
    EXPECT_TRUE((*p)->Send("t", recs).ok());
  });
  auto start = SteadyClock::now();
  auto got = (*c)->Poll(10, 10s);
  auto waited = SteadyClock::now() - start;
  producer.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 3u);
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 5s);

  std::thread waker([&] {
    std::this_thread::sleep_for(200ms);
    (*c)->Wakeup();
  });
  start = SteadyClock::now();
  got = (*c)->Poll(10, 10s);
  waited = SteadyClock::now() - start;
  waker.join();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_LT(waited, 5s);

  start = SteadyClock::now();
  got = (*c)->Poll(10, 100ms);  // nothing: returns empty after the wait
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(SteadyClock::now() - start, 90ms);
}

TEST(EmbeddedBrokerTest, ConcurrentProducersShareGroupCommitAndLoseNothing) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(3)).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto p = b->NewProducer();
      for (int i = 0; i < 50; ++i) {
        auto recs = MakeRecords(20, "p" + std::to_string(t) + "-" + std::to_string(i) + "-");
        EXPECT_TRUE((*p)->Send("t", recs).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  int64_t total = 0;
  // The Result is held by name: a range-for over `DescribeTopic("t")->partitions` read the
  // partitions after the temporary Result was destroyed (found by TSan).
  auto topic = b->DescribeTopic("t");
  ASSERT_TRUE(topic.ok());
  for (const auto& p : topic->partitions) total += p.end_offset.value();
  EXPECT_EQ(total, 4 * 50 * 20);
  ASSERT_TRUE(b->Close().ok());
  b = Open(dir.path());
  EXPECT_TRUE(b->RecoveryReport().empty());
  auto c = b->NewConsumer("g", {"t"});
  EXPECT_EQ(PollN(**c, 4000).size(), 4000u);
}

TEST(EmbeddedBrokerTest, FlushIntervalModeAcknowledgesOnWrite) {
  TempDir dir;
  auto b = Open(dir.path(), /*flush_interval_ms=*/50);
  ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
  auto p = b->NewProducer();
  auto c = b->NewConsumer("g", {"t"});
  auto recs = MakeRecords(10);
  ASSERT_TRUE((*p)->Send("t", recs).ok());
  EXPECT_EQ(b->DescribeTopic("t")->partitions[0].end_offset, Offset(10));
  EXPECT_EQ(PollN(**c, 10).size(), 10u);
  ASSERT_TRUE(b->Close().ok());
  b = Open(dir.path());
  EXPECT_EQ(b->DescribeTopic("t")->partitions[0].end_offset, Offset(10)) << "flushed on close";
}

TEST(EmbeddedBrokerTest, CheckpointsAreDurableAcrossReopen) {
  TempDir dir;
  {
    auto b = Open(dir.path());
    ASSERT_TRUE(b->Checkpoints().Save("datagen", R"({"seed":1,"next":42})").ok());
  }
  auto b = Open(dir.path());
  auto pos = b->Checkpoints().Load("datagen");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(**pos, R"({"seed":1,"next":42})");
}

TEST(EmbeddedBrokerTest, SecondOwnerGetsAnErrorNamingTheHolderPid) {
  TempDir dir;
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    EmbeddedBrokerOptions o;
    o.data_dir = dir.path();
    auto b = OpenEmbeddedBroker(o);
    const char ok = b.ok() ? '1' : '0';
    (void)!::write(ready[1], &ok, 1);
    char c;
    (void)!::read(done[0], &c, 1);
    ::_exit(0);
  }
  char ok = '0';
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, '1');
  EmbeddedBrokerOptions o;
  o.data_dir = dir.path();
  auto second = OpenEmbeddedBroker(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("data dir " + dir.path() + " is in use by process " +
                                           std::to_string(child)),
            std::string::npos)
      << second.status().message();
  // A read-only view does not need the lock.
  o.read_only = true;
  EXPECT_TRUE(OpenEmbeddedBroker(o).ok());
  (void)!::write(done[1], "x", 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  o.read_only = false;
  EXPECT_TRUE(OpenEmbeddedBroker(o).ok()) << "free again once the holder exited";
}

TEST(EmbeddedBrokerTest, ReadOnlyViewSeesTopicsAndRecordsOfALiveOwner) {
  TempDir dir;
  auto owner = Open(dir.path());
  ASSERT_TRUE(owner->CreateTopic("t", Partitions(2)).ok());
  auto p = owner->NewProducer();
  auto recs = MakeRecords(5);
  ASSERT_TRUE((*p)->Send("t", recs).ok());
  auto view = Open(dir.path(), 0, /*read_only=*/true);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->CreateTopic("x", Partitions(1)).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(view->NewProducer().ok());
  // A topic created after the view opened, and records appended after it.
  ASSERT_TRUE(owner->CreateTopic("later", Partitions(1)).ok());
  auto more = MakeRecords(3, "m");
  ASSERT_TRUE((*p)->Send("later", more).ok());
  EXPECT_EQ(*view->ListTopics(), (std::vector<std::string>{"later", "t"}));
  auto got = view->Read("later", 0, Offset(0), 100, 0ms);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), 3u);
  auto again = MakeRecords(2, "n");
  ASSERT_TRUE((*p)->Send("later", again).ok());
  got = view->Read("later", 0, Offset(3), 100, 1s);  // continues the cached position
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(got->front().offset, Offset(3));
  EXPECT_EQ(view->DescribeTopic("later")->partitions[0].end_offset, Offset(5));
}

TEST(EmbeddedBrokerTest, ReadWaitsForDataAndClampsToTheStart) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
  std::thread producer([&] {
    std::this_thread::sleep_for(100ms);
    auto p = b->NewProducer();
    auto recs = MakeRecords(4);
    EXPECT_TRUE((*p)->Send("t", recs).ok());
  });
  auto got = b->Read("t", 0, Offset(0), 2, 5s);
  producer.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  got = b->Read("t", 0, Offset(2), 10, 0ms);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(*got->back().record.value, "v3");
  EXPECT_EQ(b->Read("t", 1, Offset(0), 10, 0ms).status().code(), StatusCode::kNotFound);
}

TEST(EmbeddedBrokerTest, TornTailAfterCrashIsReportedByTheBroker) {
  TempDir dir;
  {
    auto b = Open(dir.path());
    ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
    auto p = b->NewProducer();
    for (int i = 0; i < 3; ++i) {
      auto recs = MakeRecords(100);
      ASSERT_TRUE((*p)->Send("t", recs).ok());
    }
  }
  const std::string seg = dir / "topics/t/0/00000000000000000000.log";
  std::filesystem::resize_file(seg, std::filesystem::file_size(seg) - 50);
  std::filesystem::remove(dir / ".clean_shutdown");  // as after kill -9
  auto b = Open(dir.path());
  ASSERT_EQ(b->RecoveryReport().size(), 1u);
  EXPECT_NE(b->RecoveryReport()[0].find("00000000000000000000.log"), std::string::npos);
  EXPECT_EQ(b->DescribeTopic("t")->partitions[0].end_offset, Offset(200));
}

TEST(EmbeddedBrokerTest, ProducersAndConsumersOutlivingTheBrokerGetCancelled) {
  TempDir dir;
  auto b = Open(dir.path());
  ASSERT_TRUE(b->CreateTopic("t", Partitions(1)).ok());
  auto p = b->NewProducer();
  auto c = b->NewConsumer("g", {"t"});
  std::thread poller([&] {
    auto got = (*c)->Poll(10, 10s);  // blocked when the broker closes
    EXPECT_EQ(got.status().code(), StatusCode::kCancelled);
  });
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(b->Close().ok());
  poller.join();
  b.reset();
  auto recs = MakeRecords(1);
  EXPECT_EQ((*p)->Send("t", recs).code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace rivven
