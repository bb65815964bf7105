// /ready tells the truth: a sink whose destination stops turns it 503, and it comes back to 200
// once the destination is back, with nothing lost. Real pipeline, real embedded broker, real
// HTTP server and client on loopback.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include <httplib.h>
#include <gtest/gtest.h>

#include "broker/embedded/embedded_broker.h"
#include "runtime/http_server.h"
#include "runtime/pipeline.h"

namespace rivven {
namespace {

using namespace std::chrono_literals;

struct Destination {
  std::atomic<bool> up{true};
  std::mutex mu;
  std::set<int64_t> stored;
};

class TickingSource : public Source {
 public:
  Status Open(const std::optional<std::string>& checkpoint) override {
    next_ = checkpoint ? std::stoll(*checkpoint) : 0;
    return Status::Ok();
  }
  Result<SourceBatch> Poll(size_t, std::chrono::milliseconds, std::stop_token) override {
    std::this_thread::sleep_for(5ms);
    SourceBatch b;
    Record r;
    r.value = std::to_string(next_++);
    b.records.push_back(std::move(r));
    b.position = std::to_string(next_);
    return b;
  }

 private:
  int64_t next_ = 0;
};

class RemoteSink : public Sink {
 public:
  explicit RemoteSink(Destination& d) : d_(d) {}
  Status Open() override {
    return d_.up ? Status::Ok() : Status::Unavailable("destination unreachable");
  }
  Status Write(const std::vector<ConsumedRecord>& records) override {
    for (const auto& r : records) pending_.push_back(std::stoll(*r.record.value));
    return Status::Ok();
  }
  Status Flush() override {
    if (!d_.up) return Status::Unavailable("destination unreachable");
    std::lock_guard<std::mutex> lock(d_.mu);
    d_.stored.insert(pending_.begin(), pending_.end());
    pending_.clear();
    return Status::Ok();
  }

 private:
  Destination& d_;
  std::vector<int64_t> pending_;
};

int ReadyCode(httplib::Client& client) {
  auto res = client.Get("/ready");
  return res ? res->status : -1;
}

bool WaitForCode(httplib::Client& client, int code, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadyCode(client) == code) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(ReadinessTest, SinkDestinationDownTurnsReady503AndBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rivven-readiness-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Destination dest;
  ConnectorDescriptor source_desc;
  source_desc.name = "ticking";
  source_desc.make_source = [](const config::BoundConfig&, const ConnectorContext&)
      -> Result<std::unique_ptr<Source>> { return std::unique_ptr<Source>(new TickingSource()); };
  ConnectorDescriptor sink_desc;
  sink_desc.name = "remote";
  sink_desc.kind = ConnectorKind::kSink;
  sink_desc.make_sink = [&dest](const config::BoundConfig&, const ConnectorContext&)
      -> Result<std::unique_ptr<Sink>> { return std::unique_ptr<Sink>(new RemoteSink(dest)); };

  PipelinePlan plan;
  PlannedSource src;
  src.spec.name = "ticks";
  src.spec.connector = "ticking";
  src.spec.topic = "ticks";
  src.descriptor = &source_desc;
  plan.sources.push_back(src);
  PlannedSink sink;
  sink.spec.name = "remote";
  sink.spec.connector = "remote";
  sink.spec.topics = {"ticks"};
  sink.spec.consumer_group = "remote";
  sink.descriptor = &sink_desc;
  plan.sinks.push_back(sink);

  EmbeddedBrokerOptions bo;
  bo.data_dir = dir.string();
  auto broker = OpenEmbeddedBroker(bo);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  PipelineOptions options;
  options.sink.restart.backoff.initial = 20ms;
  options.sink.restart.backoff.max = 100ms;
  options.sink.flush_interval = 20ms;
  Pipeline pipeline(plan, **broker, options);
  HttpServer server([&pipeline] { return pipeline.Statuses(); });
  auto port = server.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  std::thread runner([&] { EXPECT_TRUE(pipeline.Run().ok()); });

  httplib::Client client("127.0.0.1", *port);
  client.set_read_timeout(2, 0);
  EXPECT_TRUE(WaitForCode(client, 200, 5s)) << "never became ready";

  dest.up = false;  // the destination stops
  EXPECT_TRUE(WaitForCode(client, 503, 5s)) << "stayed ready with the destination down";
  auto res = client.Get("/ready");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("remote"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("destination unreachable"), std::string::npos) << res->body;
  EXPECT_EQ(client.Get("/health")->status, 200);  // degraded, not dead

  dest.up = true;  // and comes back
  EXPECT_TRUE(WaitForCode(client, 200, 5s)) << "did not recover";
  std::this_thread::sleep_for(200ms);

  pipeline.RequestStop();
  runner.join();
  server.Stop();
  // Nothing produced before the outage's end was lost: the stored set has no gap up to its max.
  std::lock_guard<std::mutex> lock(dest.mu);
  ASSERT_FALSE(dest.stored.empty());
  const int64_t max = *dest.stored.rbegin();
  EXPECT_EQ(static_cast<int64_t>(dest.stored.size()), max + 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rivven
