// Throughput of the embedded broker alone: one producer thread sending batches of keyed ~150-byte
// JSON values to a 3-partition topic (fsync group commit unless --flush-interval-ms), and one
// consumer thread polling and committing, as a pipeline's source and sink tasks would.
//
//   broker_bench --dir /dev/shm/x --records 5000000 [--value-bytes 150] [--partitions 3]
//                [--batch 2000] [--flush-interval-ms 0] [--keyless]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "broker/embedded/embedded_broker.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

long PeakRssMb() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/dev/shm/rivven-broker-bench";
  int64_t records = 2000000;
  size_t value_bytes = 150;
  int32_t partitions = 3;
  size_t batch = 2000;
  int64_t flush_interval_ms = 0;
  bool keyless = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--dir")
      dir = next();
    else if (a == "--records")
      records = std::stoll(next());
    else if (a == "--value-bytes")
      value_bytes = std::stoul(next());
    else if (a == "--partitions")
      partitions = std::stoi(next());
    else if (a == "--batch")
      batch = std::stoul(next());
    else if (a == "--flush-interval-ms")
      flush_interval_ms = std::stoll(next());
    else if (a == "--keyless")
      keyless = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  rivven::EmbeddedBrokerOptions o;
  o.data_dir = dir;
  o.flush_interval_ms = flush_interval_ms;
  auto broker = rivven::OpenEmbeddedBroker(o);
  if (!broker.ok()) {
    std::fprintf(stderr, "%s\n", broker.status().ToString().c_str());
    return 1;
  }
  rivven::TopicSpec spec;
  spec.partitions = partitions;
  if (auto s = (*broker)->CreateTopic("bench", spec); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }

  // One reusable batch: Send does not consume its records, so the loop measures the broker.
  std::vector<rivven::Record> recs(batch);
  for (size_t i = 0; i < batch; ++i) {
    std::string v = "{\"order_id\":" + std::to_string(i) + ",\"customer_id\":\"c-" +
                    std::to_string(i % 977) + "\",\"status\":\"created\",\"pad\":\"";
    v.resize(value_bytes - 2, 'x');
    v += "\"}";
    recs[i].value = std::move(v);
    if (!keyless) recs[i].key = "{\"order_id\":" + std::to_string(i) + "}";
  }

  std::atomic<int64_t> consumed{0};
  std::atomic<bool> consume_failed{false};
  Clock::time_point consume_done;
  const auto start = Clock::now();
  std::thread consumer([&] {
    auto c = (*broker)->NewConsumer("bench", {"bench"});
    if (!c.ok()) {
      consume_failed = true;
      return;
    }
    while (consumed.load() < records) {
      auto got = (*c)->Poll(4096, std::chrono::milliseconds(200));
      if (!got.ok()) {
        std::fprintf(stderr, "poll: %s\n", got.status().ToString().c_str());
        consume_failed = true;
        return;
      }
      if (got->empty()) continue;
      consumed += static_cast<int64_t>(got->size());
      if (auto s = (*c)->Commit((*c)->Positions()); !s.ok()) {
        std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
        consume_failed = true;
        return;
      }
    }
    consume_done = Clock::now();
  });

  auto producer = (*broker)->NewProducer();
  int64_t sent = 0, sends = 0;
  while (sent < records) {
    if (auto s = (*producer)->Send("bench", recs); !s.ok()) {
      std::fprintf(stderr, "send: %s\n", s.ToString().c_str());
      return 1;
    }
    sent += static_cast<int64_t>(recs.size());
    ++sends;
  }
  const auto produce_done = Clock::now();
  records = sent;
  consumer.join();
  if (consume_failed) return 1;
  const double produce_s = Seconds(produce_done - start);
  const double total_s = Seconds(consume_done - start);
  std::printf(
      "dir=%s records=%lld value_bytes=%zu partitions=%d batch=%zu flush_interval_ms=%lld %s\n",
      dir.c_str(), static_cast<long long>(records), value_bytes, partitions, batch,
      static_cast<long long>(flush_interval_ms), keyless ? "keyless" : "keyed");
  std::printf("produce: %.0f records/s (%.1f MB/s of values), %.2f ms per durable send\n",
              static_cast<double>(records) / produce_s,
              static_cast<double>(records) * static_cast<double>(value_bytes) / produce_s / 1e6,
              produce_s * 1000 / static_cast<double>(sends));
  std::printf("end to end (produced, durable, consumed, committed): %.0f records/s\n",
              static_cast<double>(records) / total_s);
  // Consume only: a second group reads everything back (page cache), polling 4096 at a time.
  {
    auto c = (*broker)->NewConsumer("replay", {"bench"});
    if (!c.ok()) return 1;
    int64_t n = 0;
    const auto t0 = Clock::now();
    while (n < records) {
      auto got = (*c)->Poll(4096, std::chrono::milliseconds(200));
      if (!got.ok() || got->empty()) {
        std::fprintf(stderr, "replay stopped at %lld\n", static_cast<long long>(n));
        return 1;
      }
      n += static_cast<int64_t>(got->size());
    }
    std::printf("consume only (decode into ConsumedRecords): %.0f records/s\n",
                static_cast<double>(n) / Seconds(Clock::now() - t0));
  }
  std::printf("peak RSS: %ld MB\n", PeakRssMb());
  (void)(*broker)->Close();
  std::filesystem::remove_all(dir);
  return 0;
}
