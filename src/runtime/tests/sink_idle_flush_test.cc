// A sink that holds records across Flush and writes them on its own clock (like the s3 sink's
// batch_timeout_secs) must be flushed while no new records arrive, or what it holds waits for the
// next record or the stop. Regression: the last records of an idle partition reached S3 only at
// shutdown (found by tests/chaos/mysql_s3_chaos_test.cc).
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker/embedded/embedded_broker.h"
#include "runtime/pipeline.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kRecords = 50;

struct Shared {
  std::mutex mu;
  std::vector<int64_t> delivered;
};

/// Emits kRecords records, then nothing (unbounded: the pipeline keeps running, idle).
class FewThenIdleSource : public Source {
 public:
  Status Open(const std::optional<std::string>& checkpoint) override {
    next_ = checkpoint ? std::stoll(*checkpoint) : 0;
    return Status::Ok();
  }
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds wait,
                           std::stop_token) override {
    SourceBatch b;
    while (next_ < kRecords && b.records.size() < max_records) {
      Record r;
      r.value = std::to_string(next_++);
      b.records.push_back(std::move(r));
    }
    if (b.records.empty()) std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(wait, 20ms));
    b.position = std::to_string(next_);
    return b;
  }

 private:
  int64_t next_ = 0;
};

/// Holds each record until it is 200 ms old, then delivers it at the next Flush.
class TimedBatchSink : public Sink {
 public:
  explicit TimedBatchSink(Shared& s) : s_(s) {}
  Status Open() override { return Status::Ok(); }
  Status Write(const std::vector<ConsumedRecord>& records) override {
    for (const auto& r : records) {
      held_.push_back({std::stoll(*r.record.value), SteadyClock::now()});
      first_held_.try_emplace({r.topic, r.partition}, r.offset);
    }
    return Status::Ok();
  }
  Status Flush() override {
    if (!held_.empty() && SteadyClock::now() - held_.front().second >= 200ms) return FlushAll();
    return Status::Ok();
  }
  Status FlushAll() override {
    std::lock_guard<std::mutex> lock(s_.mu);
    for (const auto& [value, at] : held_) s_.delivered.push_back(value);
    held_.clear();
    first_held_.clear();
    return Status::Ok();
  }
  std::optional<Offset> FirstHeld(const std::string& topic, int32_t partition) const override {
    auto it = first_held_.find({topic, partition});
    if (it == first_held_.end()) return std::nullopt;
    return it->second;
  }

 private:
  Shared& s_;
  std::vector<std::pair<int64_t, SteadyClock::time_point>> held_;
  std::map<std::pair<std::string, int32_t>, Offset> first_held_;
};

TEST(SinkIdleFlushTest, HeldRecordsAreWrittenWhileNoNewRecordsArrive) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rivven-sink-idle-flush-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  EmbeddedBrokerOptions bo;
  bo.data_dir = dir.string();
  auto broker = OpenEmbeddedBroker(bo);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  Shared shared;
  ConnectorDescriptor source_desc, sink_desc;
  source_desc.name = "few";
  source_desc.kind = ConnectorKind::kSource;
  source_desc.make_source = [](const config::BoundConfig&, const ConnectorContext&)
      -> Result<std::unique_ptr<Source>> { return std::unique_ptr<Source>(new FewThenIdleSource()); };
  sink_desc.name = "timed";
  sink_desc.kind = ConnectorKind::kSink;
  sink_desc.make_sink = [&](const config::BoundConfig&, const ConnectorContext&)
      -> Result<std::unique_ptr<Sink>> { return std::unique_ptr<Sink>(new TimedBatchSink(shared)); };
  PipelinePlan plan;
  PlannedSource src;
  src.spec.name = "src";
  src.spec.connector = "few";
  src.spec.topic = "numbers";
  src.descriptor = &source_desc;
  plan.sources.push_back(src);
  PlannedSink sink;
  sink.spec.name = "dst";
  sink.spec.connector = "timed";
  sink.spec.topics = {"numbers"};
  sink.spec.consumer_group = "dst";
  sink.descriptor = &sink_desc;
  plan.sinks.push_back(sink);
  PipelineOptions o;
  o.sink.flush_interval = 20ms;
  Pipeline p(plan, **broker, o);

  size_t delivered_while_running = 0;
  std::thread watcher([&] {
    const auto deadline = SteadyClock::now() + 3s;
    while (SteadyClock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(shared.mu);
        delivered_while_running = shared.delivered.size();
      }
      if (delivered_while_running == kRecords) break;
      std::this_thread::sleep_for(10ms);
    }
    p.RequestStop();
  });
  EXPECT_TRUE(p.Run().ok());
  watcher.join();
  EXPECT_EQ(delivered_while_running, static_cast<size_t>(kRecords))
      << "held records were written only at the stop";
  // Once written, the offsets were committed: nothing is left behind the sink's group.
  auto committed = (*broker)->CommittedOffsets("dst", "numbers");
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  EXPECT_EQ(total, kRecords);
  broker->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rivven
