// The pipeline on a real embedded broker with test connectors that fail on demand: bounded
// completion, restarts of failing sources and sinks, graceful stop, topic provisioning.
#include "runtime/pipeline.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "broker/embedded/embedded_broker.h"
#include "runtime/topic_provisioner.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;

/// Shared between a test and the connectors it creates (they are recreated on restart).
struct Script {
  int64_t total = 1000;            ///< records the source emits; -1 = unbounded
  std::set<int64_t> fail_source_at;  ///< positions at which Poll fails once (fatal)
  bool source_always_fails = false;
  bool reject_hundreds = false;      ///< the source rejects n % 100 == 0 via ctx.errors
  bool report_gauges = false;        ///< each batch reports counting_next (and an invalid name)
  int sink_flush_failures = 0;     ///< the first N Flush calls fail (retriable)
  /// The sink holds every record across Flush (FirstHeld names them) until FlushAll.
  bool sink_holds = false;
  bool fail_first_flush_all = false;  ///< the first FlushAll fails (retriable)
  std::mutex mu;
  std::multiset<int64_t> delivered;  ///< what the sink flushed
  std::vector<std::string> recycled;  ///< values the runner gave back to the source
  int source_opens = 0;
  int sink_opens = 0;
  std::string acknowledged;              ///< the last position the runner acknowledged
  std::vector<std::string> acked_at_close;  ///< `acknowledged` when each source closed
};

class CountingSource : public Source {
 public:
  CountingSource(Script& s, RecordErrorHandler* errors) : s_(s), errors_(errors) {}
  Status Open(const std::optional<std::string>& checkpoint) override {
    std::lock_guard<std::mutex> lock(s_.mu);
    ++s_.source_opens;
    next_ = checkpoint ? std::stoll(*checkpoint) : 0;
    return Status::Ok();
  }
  Result<SourceBatch> Poll(size_t max_records, std::chrono::milliseconds, std::stop_token stop) override {
    if (s_.source_always_fails) return Status::Internal("source is broken");
    if (s_.fail_source_at.erase(next_) > 0) return Status::Internal("injected failure at " + std::to_string(next_));
    SourceBatch b;
    for (size_t i = 0; i < std::min<size_t>(max_records, 97); ++i) {
      if (s_.total >= 0 && next_ >= s_.total) break;
      if (s_.reject_hundreds && next_ % 100 == 0) {
        RejectedRecord bad;
        bad.value = "raw-" + std::to_string(next_);
        bad.reason = "input:" + std::to_string(next_) + ": divisible by 100";
        bad.position = std::to_string(next_);
        ++next_;
        RC_RETURN_IF_ERROR(errors_->Reject(bad));
        continue;
      }
      Record r;
      r.key = "{\"id\":" + std::to_string(next_) + "}";
      r.value = std::to_string(next_);
      b.records.push_back(std::move(r));
      ++next_;
    }
    b.position = std::to_string(next_);
    b.finished = s_.total >= 0 && next_ >= s_.total;
    if (s_.report_gauges) {
      b.gauges.push_back({"counting_next", "The next number.", static_cast<double>(next_)});
      b.gauges.push_back({"Not-Valid", "Dropped with a warning.", 1});
    }
    if (s_.total < 0) std::this_thread::sleep_for(1ms);
    return b;
  }
  Status Acknowledge(const std::string& position) override {
    std::lock_guard<std::mutex> lock(s_.mu);
    s_.acknowledged = position;
    return Status::Ok();
  }
  Status Close() override {
    std::lock_guard<std::mutex> lock(s_.mu);
    s_.acked_at_close.push_back(s_.acknowledged);
    return Status::Ok();
  }
  void Recycle(std::vector<Record>& spent) override {
    std::lock_guard<std::mutex> lock(s_.mu);
    for (Record& r : spent) s_.recycled.push_back(r.value.value_or("null"));
  }

 private:
  Script& s_;
  RecordErrorHandler* errors_;
  int64_t next_ = 0;
};

class CollectingSink : public Sink {
 public:
  explicit CollectingSink(Script& s) : s_(s) {}
  Status Open() override {
    std::lock_guard<std::mutex> lock(s_.mu);
    ++s_.sink_opens;
    return Status::Ok();
  }
  Status Write(const std::vector<ConsumedRecord>& records) override {
    for (const auto& r : records) {
      pending_.push_back(std::stoll(*r.record.value));
      first_held_.try_emplace({r.topic, r.partition}, r.offset);
    }
    return Status::Ok();
  }
  Status Flush() override {
    std::lock_guard<std::mutex> lock(s_.mu);
    if (s_.sink_flush_failures > 0) {
      --s_.sink_flush_failures;
      return Status::Unavailable("destination busy");
    }
    if (s_.sink_holds) return Status::Ok();
    Deliver();
    return Status::Ok();
  }
  Status FlushAll() override {
    RC_RETURN_IF_ERROR(Flush());
    std::lock_guard<std::mutex> lock(s_.mu);
    if (s_.fail_first_flush_all) {
      s_.fail_first_flush_all = false;
      return Status::Unavailable("destination down");
    }
    Deliver();
    return Status::Ok();
  }
  std::optional<Offset> FirstHeld(const std::string& topic, int32_t partition) const override {
    auto it = first_held_.find({topic, partition});
    if (it == first_held_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void Deliver() {  // s_.mu held
    for (auto v : pending_) s_.delivered.insert(v);
    pending_.clear();
    first_held_.clear();
  }
  Script& s_;
  std::vector<int64_t> pending_;
  std::map<std::pair<std::string, int32_t>, Offset> first_held_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rivven-pipeline-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    source_desc_.name = "counting";
    source_desc_.kind = ConnectorKind::kSource;
    source_desc_.make_source = [this](const config::BoundConfig&, const ConnectorContext& ctx)
        -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(new CountingSource(script_, ctx.errors));
    };
    sink_desc_.name = "collecting";
    sink_desc_.kind = ConnectorKind::kSink;
    sink_desc_.make_sink = [this](const config::BoundConfig&, const ConnectorContext&)
        -> Result<std::unique_ptr<Sink>> { return std::unique_ptr<Sink>(new CollectingSink(script_)); };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<EmbeddedBroker> OpenBroker() {
    EmbeddedBrokerOptions o;
    o.data_dir = dir_.string();
    auto b = OpenEmbeddedBroker(o);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return std::move(b).value();
  }

  PipelinePlan Plan(int partitions = 3) {
    PipelinePlan plan;
    PlannedSource src;
    src.spec.name = "src";
    src.spec.connector = "counting";
    src.spec.topic = "numbers";
    src.spec.topic_config.partitions = partitions;
    src.descriptor = &source_desc_;
    plan.sources.push_back(src);
    PlannedSink sink;
    sink.spec.name = "dst";
    sink.spec.connector = "collecting";
    sink.spec.topics = {"numbers"};
    sink.spec.consumer_group = "dst";
    sink.descriptor = &sink_desc_;
    plan.sinks.push_back(sink);
    return plan;
  }

  static PipelineOptions FastOptions() {
    PipelineOptions o;
    o.source.restart.backoff.initial = 5ms;
    o.sink.restart.backoff.initial = 5ms;
    o.sink.flush_interval = 20ms;
    return o;
  }

  void ExpectAllDelivered(int64_t n) {
    std::lock_guard<std::mutex> lock(script_.mu);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_GE(script_.delivered.count(i), 1u) << "record " << i << " lost";
    }
  }

  std::filesystem::path dir_;
  Script script_;
  ConnectorDescriptor source_desc_;
  ConnectorDescriptor sink_desc_;
};

TEST_F(PipelineTest, BoundedRunDeliversEverythingAndEnds) {
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  ExpectAllDelivered(1000);
  EXPECT_EQ(script_.delivered.size(), 1000u);  // no failure, so no duplicate
  auto info = broker->DescribeTopic("numbers");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->partitions.size(), 3u);
}

TEST_F(PipelineTest, SourceGaugesReachTheStatusWithTheirLatestValue) {
  script_.report_gauges = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  const RunnerStatus* source = nullptr;
  for (const RunnerStatus* s : p.Statuses()) {
    if (s->kind == RunnerKind::kSource) source = s;
    if (s->kind == RunnerKind::kSink) {
      EXPECT_TRUE(s->Gauges().empty());
    }
  }
  ASSERT_NE(source, nullptr);
  const std::vector<SourceGauge> gauges = source->Gauges();
  ASSERT_EQ(gauges.size(), 1u);  // the invalid name is dropped
  EXPECT_EQ(gauges[0].name, "counting_next");
  EXPECT_EQ(gauges[0].help, "The next number.");
  EXPECT_EQ(gauges[0].value, 1000);  // from the last (finished) batch
}

TEST_F(PipelineTest, FailingSourceIsRestartedFromItsCheckpoint) {
  script_.fail_source_at = {194, 485};
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  ExpectAllDelivered(1000);
  EXPECT_EQ(script_.delivered.size(), 1000u);  // restarts resume exactly after the durable batch
  EXPECT_EQ(script_.source_opens, 3);
}

TEST_F(PipelineTest, SourceThatKeepsFailingFailsThePipeline) {
  script_.source_always_fails = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  Status s = p.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("source is broken"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("source 'src'"), std::string::npos) << s.ToString();
}

TEST_F(PipelineTest, FailingSinkIsRestartedAndRedeliversUncommitted) {
  script_.sink_flush_failures = 2;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  ExpectAllDelivered(1000);
  EXPECT_GE(script_.sink_opens, 3);
}

TEST_F(PipelineTest, RecordsASinkHoldsAreNotCommittedAndComeBackAfterAFailure) {
  // The sink keeps everything across Flush (like an object store filling a batch) and fails
  // when it should finally deliver: what it held was never durable, so the restart must read
  // it again (committed offsets stopped at FirstHeld).
  script_.sink_holds = true;
  script_.fail_first_flush_all = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  PipelineOptions o = FastOptions();
  o.sink.flush_records = 100;
  Pipeline p(plan, *broker, o);
  ASSERT_TRUE(p.Run().ok());
  ExpectAllDelivered(1000);
  EXPECT_GE(script_.sink_opens, 2);
  // The bounded run's end flushed everything and committed it all.
  auto committed = broker->CommittedOffsets("dst", "numbers");
  ASSERT_TRUE(committed.ok());
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  EXPECT_EQ(total, 1000);
}

TEST_F(PipelineTest, AHoldingSinkIsFlushedWholeWhenStopped) {
  script_.total = -1;
  script_.sink_holds = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    p.RequestStop();
  });
  EXPECT_TRUE(p.Run().ok());
  stopper.join();
  auto committed = broker->CommittedOffsets("dst", "numbers");
  ASSERT_TRUE(committed.ok());
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  std::lock_guard<std::mutex> lock(script_.mu);
  EXPECT_GT(total, 0);
  EXPECT_EQ(static_cast<int64_t>(script_.delivered.size()), total);
}

TEST_F(PipelineTest, StopRequestEndsUnboundedRunGracefully) {
  script_.total = -1;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    p.RequestStop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(p.Run().ok());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  // Whatever the sink committed is a prefix-free set of real records.
  auto committed = broker->CommittedOffsets("dst", "numbers");
  ASSERT_TRUE(committed.ok());
  int64_t total = 0;
  for (const auto& c : *committed) total += c.offset.value();
  std::lock_guard<std::mutex> lock(script_.mu);
  EXPECT_EQ(static_cast<int64_t>(script_.delivered.size()), total);
}

TEST_F(PipelineTest, ASourceLearnsItsLastDurablePositionBeforeItCloses) {
  // Stopped: what the last sends made durable is acknowledged before Close, every time.
  for (int round = 0; round < 5; ++round) {
    script_.total = -1;
    {
      auto broker = OpenBroker();
      auto plan = Plan();
      Pipeline p(plan, *broker, FastOptions());
      std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + 37 * round));
        p.RequestStop();
      });
      EXPECT_TRUE(p.Run().ok());
      stopper.join();
      auto checkpoint = broker->Checkpoints().Load("src");
      ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
      std::lock_guard<std::mutex> lock(script_.mu);
      ASSERT_FALSE(script_.acked_at_close.empty());
      EXPECT_EQ(script_.acked_at_close.back(), **checkpoint) << "round " << round;
    }
    std::filesystem::remove_all(dir_);
  }
  // A bounded run: the final position too.
  script_.total = 1000;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  std::lock_guard<std::mutex> lock(script_.mu);
  EXPECT_EQ(script_.acked_at_close.back(), "1000");
}

TEST_F(PipelineTest, DeliveredRecordsComeBackToTheSourceOnceEach) {
  // The runner hands records it has produced durably back to the source (to reuse their
  // buffers): each at most once, only ones that were sent, and never before the send.
  script_.total = -1;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    p.RequestStop();
  });
  EXPECT_TRUE(p.Run().ok());
  stopper.join();
  uint64_t sent = 0;
  for (const RunnerStatus* s : p.Statuses()) {
    if (s->kind == RunnerKind::kSource) sent = s->records.load();
  }
  std::lock_guard<std::mutex> lock(script_.mu);
  ASSERT_FALSE(script_.recycled.empty());
  EXPECT_LE(script_.recycled.size(), sent);
  std::set<int64_t> seen;
  for (const std::string& v : script_.recycled) {
    ASSERT_NE(v, "null");
    const int64_t n = std::stoll(v);
    EXPECT_TRUE(seen.insert(n).second) << n << " given back twice";
    EXPECT_LT(static_cast<uint64_t>(n), sent) << n << " given back but never sent";
  }
}

TEST_F(PipelineTest, ResumedRunContinuesWhereTheLastStopped) {
  {
    script_.total = 500;
    auto broker = OpenBroker();
    auto plan = Plan();
    Pipeline p(plan, *broker, FastOptions());
    ASSERT_TRUE(p.Run().ok());
  }
  script_.total = 800;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  ExpectAllDelivered(800);
  EXPECT_EQ(script_.delivered.size(), 800u);
}

TEST_F(PipelineTest, MissingTopicWithoutAutoCreateIsAnError) {
  auto broker = OpenBroker();
  auto plan = Plan();
  plan.config.settings.topic.auto_create = false;
  plan.sources[0].spec.topic_config.partitions.reset();
  Status s = ProvisionTopics(plan, *broker, true);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("numbers"), std::string::npos);
  plan.config.settings.topic.require_topic_exists = false;
  EXPECT_TRUE(ProvisionTopics(plan, *broker, true).ok());
  EXPECT_EQ(broker->DescribeTopic("numbers").status().code(), StatusCode::kNotFound);
}

TEST_F(PipelineTest, TopicConfigOverridesDefaultPartitions) {
  auto broker = OpenBroker();
  auto plan = Plan(5);
  plan.config.settings.topic.default_partitions = 2;
  plan.sinks[0].spec.topics.push_back("other");
  ASSERT_TRUE(ProvisionTopics(plan, *broker, true).ok());
  EXPECT_EQ(broker->DescribeTopic("numbers")->partitions.size(), 5u);
  EXPECT_EQ(broker->DescribeTopic("other")->partitions.size(), 2u);
}

TEST_F(PipelineTest, OnErrorSkipDropsAndCountsBadRecords) {
  script_.reject_hundreds = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  plan.sources[0].spec.errors.on_error = config::OnError::kSkip;
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  EXPECT_EQ(script_.delivered.size(), 990u);
  EXPECT_EQ(script_.delivered.count(100), 0u);
  EXPECT_EQ(script_.delivered.count(101), 1u);
}

TEST_F(PipelineTest, OnErrorFailStopsTheRunNamingTheRecord) {
  script_.reject_hundreds = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  Pipeline p(plan, *broker, FastOptions());
  Status s = p.Run();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("input:0: divisible by 100"), std::string::npos) << s.ToString();
}

TEST_F(PipelineTest, OnErrorDlqWritesOriginalBytesAndErrorHeaders) {
  script_.reject_hundreds = true;
  auto broker = OpenBroker();
  auto plan = Plan();
  plan.sources[0].spec.errors.on_error = config::OnError::kDlq;
  plan.sources[0].spec.errors.dead_letter_topic = "numbers.dlq";
  Pipeline p(plan, *broker, FastOptions());
  ASSERT_TRUE(p.Run().ok());
  EXPECT_EQ(script_.delivered.size(), 990u);
  auto dlq = broker->Read("numbers.dlq", 0, Offset(0), 100, std::chrono::milliseconds(0));
  ASSERT_TRUE(dlq.ok()) << dlq.status().ToString();
  ASSERT_EQ(dlq->size(), 10u);
  const ConsumedRecord& first = (*dlq)[0];
  EXPECT_EQ(*first.record.value, "raw-0");
  std::map<std::string, std::string> h;
  for (const auto& x : first.record.headers) h[x.key] = x.value;
  EXPECT_EQ(h["rivven.error.reason"], "input:0: divisible by 100");
  EXPECT_EQ(h["rivven.error.connector"], "src");
  EXPECT_EQ(h["rivven.error.position"], "0");
  EXPECT_EQ(h["rivven.error.attempts"], "1");
  EXPECT_FALSE(h["rivven.error.timestamp"].empty());
}

TEST_F(PipelineTest, RateLimitedSourceHoldsItsRate) {
  script_.total = 600;
  auto broker = OpenBroker();
  auto plan = Plan();
  plan.sources[0].spec.rate_limit.events_per_second = 1000;
  plan.sources[0].spec.rate_limit.burst_capacity = 100;
  Pipeline p(plan, *broker, FastOptions());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(p.Run().ok());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // 600 records, 100 free at the start, then 1000/s: 0.5 s.
  EXPECT_GT(secs, 0.45);
  EXPECT_LT(secs, 1.5);
}

}  // namespace
}  // namespace rivven

namespace rivven {
namespace {

config::BoundConfig TokenConfig(const config::Schema& schema, const std::string& token) {
  config::Node block;
  block.kind = config::Node::Kind::kMap;
  config::Node value;
  value.kind = config::Node::Kind::kScalar;
  value.scalar = token;
  block.entries.emplace_back("token", value);
  block.key_marks.emplace_back();
  config::Diagnostics diags;
  config::BoundConfig bound = config::Bind(schema, &block, "x.config", {}, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return bound;
}

// A secret that changes while the pipeline runs: both connectors are recreated from the new
// config, nothing is lost or reordered across the restarts, and unknown names are refused.
TEST_F(PipelineTest, ReconfigureRestartsConnectorsWithTheNewConfig) {
  script_.total = -1;
  config::Schema schema;
  schema.Add(config::Key("token", config::ValueType::kString, "credential"));
  std::vector<std::string> source_tokens, sink_tokens;  // guarded by script_.mu
  source_desc_.make_source = [&](const config::BoundConfig& c, const ConnectorContext& ctx)
      -> Result<std::unique_ptr<Source>> {
    std::lock_guard<std::mutex> lock(script_.mu);
    source_tokens.push_back(c.GetString("token"));
    return std::unique_ptr<Source>(new CountingSource(script_, ctx.errors));
  };
  sink_desc_.make_sink = [&](const config::BoundConfig& c, const ConnectorContext&)
      -> Result<std::unique_ptr<Sink>> {
    std::lock_guard<std::mutex> lock(script_.mu);
    sink_tokens.push_back(c.GetString("token"));
    return std::unique_ptr<Sink>(new CollectingSink(script_));
  };
  auto broker = OpenBroker();
  auto plan = Plan(1);
  plan.sources[0].config = TokenConfig(schema, "old");
  plan.sinks[0].config = TokenConfig(schema, "old");
  Pipeline p(plan, *broker, FastOptions());
  const auto delivered = [&] {
    std::lock_guard<std::mutex> lock(script_.mu);
    return script_.delivered.size();
  };
  const auto wait_for = [](auto done) {
    for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
    return done();
  };
  std::thread runner([&] { EXPECT_TRUE(p.Run().ok()); });
  ASSERT_TRUE(wait_for([&] { return delivered() > 0; }));
  EXPECT_FALSE(p.Reconfigure("nope", TokenConfig(schema, "new")));
  EXPECT_TRUE(p.Reconfigure("src", TokenConfig(schema, "new")));
  EXPECT_TRUE(p.Reconfigure("dst", TokenConfig(schema, "new")));
  ASSERT_TRUE(wait_for([&] {
    std::lock_guard<std::mutex> lock(script_.mu);
    return source_tokens.size() == 2 && sink_tokens.size() == 2;
  }));
  const size_t before = delivered();
  ASSERT_TRUE(wait_for([&] { return delivered() > before + 100; }));
  p.RequestStop();
  runner.join();
  std::lock_guard<std::mutex> lock(script_.mu);
  EXPECT_EQ(source_tokens, (std::vector<std::string>{"old", "new"}));
  EXPECT_EQ(sink_tokens, (std::vector<std::string>{"old", "new"}));
  EXPECT_EQ(script_.source_opens, 2);
  EXPECT_EQ(script_.sink_opens, 2);
  const int64_t last = *script_.delivered.rbegin();
  for (int64_t i = 0; i <= last; ++i) ASSERT_GE(script_.delivered.count(i), 1u) << "lost " << i;
}

}  // namespace
}  // namespace rivven
