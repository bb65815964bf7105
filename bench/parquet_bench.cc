// The Parquet writer alone: N datagen-like orders (JSON objects of ~110 bytes) appended to a
// formats::parquet::Writer and finished as one zstd file, then read back with the Reader.
//   parquet_bench [N]   (default 1,000,000)
// Prints records/s and MB/s of JSON input for writing, the file size, and the read rate.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<std::string> Orders(size_t n) {
  static const char* kProducts[] = {"Laptop", "Mouse",  "Keyboard", "Monitor", "Headphones",
                                    "Webcam", "Tablet", "Phone",    "Charger", "Desk Lamp"};
  static const int kCents[] = {129999, 2499, 7999, 34999, 14999, 8999, 49999, 89999, 1999, 3999};
  static const char* kStatuses[] = {"pending", "shipped", "delivered", "cancelled"};
  std::vector<std::string> out;
  out.reserve(n);
  uint64_t x = 88172645463325252ull;
  auto next = [&] {  // xorshift64: fast, deterministic
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (size_t i = 0; i < n; ++i) {
    const size_t p = next() % 10;
    const int quantity = static_cast<int>(next() % 5) + 1;
    const long cents = static_cast<long>(quantity) * kCents[p];
    char buf[256];
    const int len =
        std::snprintf(buf, sizeof(buf),
                      "{\"order_id\":%zu,\"customer_id\":%llu,\"product\":\"%s\",\"quantity\":%d,"
                      "\"total\":%ld.%02ld,\"status\":\"%s\"}",
                      i + 1, static_cast<unsigned long long>(next() % 100000 + 1), kProducts[p],
                      quantity, cents / 100, cents % 100, kStatuses[next() % 4]);
    out.emplace_back(buf, static_cast<size_t>(len));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const std::vector<std::string> records = Orders(n);
  size_t input_bytes = 0;
  for (const std::string& r : records) input_bytes += r.size();

  rivven::formats::parquet::WriterOptions options;
  options.codec = rivven::formats::parquet::Codec::kZstd;
  rivven::formats::parquet::Writer writer(options);
  const auto start = Clock::now();
  for (const std::string& r : records) {
    rivven::Status s = writer.Append(r);
    if (!s.ok()) {
      std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const double append_s = Seconds(start);
  const auto finish_start = Clock::now();
  rivven::Result<std::string> file = writer.Finish();
  if (!file.ok()) {
    std::fprintf(stderr, "finish: %s\n", file.status().ToString().c_str());
    return 1;
  }
  const double finish_s = Seconds(finish_start);
  const double total_s = append_s + finish_s;
  const size_t file_bytes = file->size();
  std::printf("write: %zu records, %.1f MB of JSON in %.3f s (append %.3f s, finish %.3f s)\n", n,
              static_cast<double>(input_bytes) / 1e6, total_s, append_s, finish_s);
  std::printf("write: %.0f records/s, %.1f MB/s of JSON input\n", static_cast<double>(n) / total_s,
              static_cast<double>(input_bytes) / 1e6 / total_s);
  std::printf("file: %zu bytes (%.1f%% of the JSON)\n", file_bytes,
              100.0 * static_cast<double>(file_bytes) / static_cast<double>(input_bytes));

  const auto read_start = Clock::now();
  auto reader = rivven::formats::parquet::Reader::Open(std::move(*file));
  if (!reader.ok()) {
    std::fprintf(stderr, "open: %s\n", reader.status().ToString().c_str());
    return 1;
  }
  size_t rows = 0, row_bytes = 0;
  rivven::Status s = (*reader)->ForEachRow([&](std::string_view row) {
    ++rows;
    row_bytes += row.size();
    return true;
  });
  const double read_s = Seconds(read_start);
  if (!s.ok() || rows != n) {
    std::fprintf(stderr, "read: %zu rows: %s\n", rows, s.ToString().c_str());
    return 1;
  }
  std::printf("read: %.0f rows/s, %.1f MB/s of JSON output\n", static_cast<double>(rows) / read_s,
              static_cast<double>(row_bytes) / 1e6 / read_s);
  return 0;
}
