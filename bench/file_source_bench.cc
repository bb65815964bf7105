// Throughput of the file source alone (read, split, validate, compact, build records), on
// generated JSON Lines and CSV files. Skipped unless RIVVEN_FILE_SOURCE_BENCH_MB is set:
//   RIVVEN_FILE_SOURCE_BENCH_MB=200 build/release/bench/file_source_bench
// Files go to $RIVVEN_FILE_SOURCE_BENCH_DIR (default /tmp) and are deleted afterwards. Build
// with -DCMAKE_BUILD_TYPE=Release for meaningful figures.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "connectors/file/file_source.h"

namespace rivven::file {
namespace {

size_t BenchMegabytes() {
  const char* mb = std::getenv("RIVVEN_FILE_SOURCE_BENCH_MB");
  return mb ? static_cast<size_t>(std::strtoull(mb, nullptr, 10)) : 0;
}

std::string BenchPath(const std::string& name) {
  const char* dir = std::getenv("RIVVEN_FILE_SOURCE_BENCH_DIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Orders-like rows, ~150-200 bytes each as JSON.
void Generate(const std::string& path, size_t bytes, bool csv) {
  static const char* kProducts[] = {"keyboard", "monitor 27\"", "usb-c hub", "laptop stand",
                                    "mouse"};
  static const char* kStatus[] = {"pending", "paid", "shipped", "delivered", "cancelled"};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (csv) out << "order_id,customer_id,product,quantity,total,status,note\n";
  std::string line;
  size_t written = 0;
  for (uint64_t i = 1; written < bytes; ++i) {
    const char* product = kProducts[i % 5];
    const char* status = kStatus[(i / 7) % 5];
    char buf[512];
    int n;
    if (csv) {
      n = std::snprintf(
          buf, sizeof(buf), "%llu,%llu,\"%s\",%llu,%llu.%02llu,%s,%s\n",
          static_cast<unsigned long long>(i), static_cast<unsigned long long>(1000 + i % 977),
          i % 5 == 1 ? "monitor 27\"\"" : product, static_cast<unsigned long long>(1 + i % 4),
          static_cast<unsigned long long>(i % 500), static_cast<unsigned long long>(i % 100),
          status, i % 3 == 0 ? "" : "\"gift wrap, please\"");
    } else {
      n = std::snprintf(
          buf, sizeof(buf),
          "{\"order_id\":%llu,\"customer_id\":%llu,\"product\":\"%s\","
          "\"quantity\":%llu,\"total\":%llu.%02llu,\"status\":\"%s\","
          "\"note\":%s,\"created_at\":\"2024-01-01T00:00:00.000Z\"}\n",
          static_cast<unsigned long long>(i), static_cast<unsigned long long>(1000 + i % 977),
          i % 5 == 1 ? "monitor 27\\\"" : product, static_cast<unsigned long long>(1 + i % 4),
          static_cast<unsigned long long>(i % 500), static_cast<unsigned long long>(i % 100),
          status, i % 3 == 0 ? "null" : "\"gift wrap, please\"");
    }
    out.write(buf, n);
    written += static_cast<size_t>(n);
  }
}

void Measure(const char* label, const std::string& path, SourceFormat format) {
  FileSourceConfig c;
  c.path = path;
  c.format = format;
  ConnectorContext ctx;
  ctx.name = "bench";
  FileSource source(c, ctx);
  ASSERT_TRUE(source.Open(std::nullopt).ok());
  const auto start = std::chrono::steady_clock::now();
  uint64_t records = 0;
  uint64_t value_bytes = 0;
  while (true) {
    auto batch = source.Poll(8192, std::chrono::milliseconds(100), {});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    records += batch->records.size();
    for (const auto& r : batch->records) value_bytes += r.value->size();
    if (batch->finished) break;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  std::printf(
      "%s: %.0f MB, %llu records in %.2f s = %.0f MB/s, %.2f M records/s "
      "(values %.0f MB)\n",
      label, mb, static_cast<unsigned long long>(records), secs, mb / secs,
      static_cast<double>(records) / secs / 1e6, static_cast<double>(value_bytes) / 1e6);
}

TEST(FileSourceBench, JsonLinesAndCsvThroughput) {
  const size_t mb = BenchMegabytes();
  if (mb == 0) GTEST_SKIP() << "set RIVVEN_FILE_SOURCE_BENCH_MB to run";
  const std::string jsonl = BenchPath("rivven_file_source_bench.jsonl");
  const std::string csv = BenchPath("rivven_file_source_bench.csv");
  Generate(jsonl, mb << 20, false);
  Generate(csv, mb << 20, true);
  // A first pass warms the page cache, so the figures are the source's, not the disk's.
  for (int pass = 0; pass < 2; ++pass) {
    Measure(pass == 0 ? "jsonl (cold)" : "jsonl", jsonl, SourceFormat::kJson);
    Measure(pass == 0 ? "csv (cold)" : "csv", csv, SourceFormat::kCsv);
  }
  std::filesystem::remove(jsonl);
  std::filesystem::remove(csv);
}

}  // namespace
}  // namespace rivven::file
