// The kafka sink alone: the records of a JSON Lines file, read into memory first, written
// through KafkaSink (Write in batches of 8192, Flush every 65536, as the sink runner does) to
// the cluster at BOOTSTRAP, topic TOPIC, acks=all, idempotent. Prints
//   "<records> <wall seconds> <CPU seconds of this process while writing>"
// for bench/kafka_sink.sh, which runs kcat -P on the same file against a cluster of the same
// shape. Usage: kafka_sink_bench BOOTSTRAP TOPIC FILE
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/kafka/kafka_sink.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC FILE\n", argv[0]);
    return 2;
  }
  constexpr size_t kWrite = 8192, kFlush = 65536;
  // In batches of kWrite, as the sink runner hands them over; built before the clock starts.
  std::vector<std::vector<rivven::ConsumedRecord>> batches;
  size_t total = 0;
  {
    std::ifstream in(argv[3]);
    std::string line;
    while (std::getline(in, line)) {
      if (batches.empty() || batches.back().size() == kWrite) batches.emplace_back().reserve(kWrite);
      rivven::ConsumedRecord& r = batches.back().emplace_back();
      r.topic = "rows";
      r.offset = rivven::Offset(static_cast<int64_t>(total++));
      r.record.value = line;
      r.record.timestamp_ms = 1700000000000;
    }
  }
  rivven::kafka::KafkaSinkConfig config;
  config.client.bootstrap_servers = {argv[1]};
  config.target_topic = argv[2];
  rivven::kafka::KafkaSink sink(config);

  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  if (auto s = sink.Open(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  size_t since_flush = 0;
  for (const auto& batch : batches) {
    if (auto s = sink.Write(batch); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    since_flush += batch.size();
    if (since_flush >= kFlush) {
      if (auto s = sink.Flush(); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
      since_flush = 0;
    }
  }
  if (auto s = sink.Flush(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  (void)sink.Close();
  std::printf("%zu %.4f %.3f\n", total, wall, cpu);
  return 0;
}
