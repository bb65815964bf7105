// The MySQL row decoder alone: a captured 7.9 KB WRITE_ROWS_EVENT_V1 of 38 rows of about 200
// bytes (id BIGINT, VARCHAR(100), DECIMAL(12,2), DATETIME(6), JSON, two TIMESTAMP(6); MariaDB
// 10.11, src/connectors/mysql/tests/mariadb_capture.h event 45) into JSON images and keys.
//   build/release/bench/binlog_rows_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/binlog_rows.h"
#include "connectors/mysql/tests/binlog_test_util.h"

namespace {

using namespace rivven::mysql;

struct Fixture {
  Fixture() {
    events = testing::CapturedFileEvents();
    for (size_t i = 0; i < 45; ++i) (void)decoder.Decode(events[i]);
    auto e = decoder.Decode(events[45]);
    rows = std::get<RowsEvent>(e->body);
    std::vector<ColumnSchema> columns = TableSchema::FromTableMap(*rows.table).columns();
    columns[4].json = true;
    schema = TableSchema("shop", "big", columns, {0});
  }
  std::vector<std::string> events;
  BinlogDecoder decoder;
  RowsEvent rows;
  TableSchema schema;
};

Fixture& Get() {
  static Fixture f;
  return f;
}

/// Row images and keys of an already decoded event.
void BM_RowsToJson(benchmark::State& state) {
  Fixture& f = Get();
  RowsReader reader;
  std::string value, key;
  int64_t rows = 0;
  for (auto _ : state) {
    if (!reader.Start(f.rows, f.schema).ok()) state.SkipWithError("start");
    while (!reader.done()) {
      value.clear();
      key.clear();
      if (!reader.AppendImage(value).ok()) state.SkipWithError("image");
      reader.AppendKey(key, value);
      benchmark::DoNotOptimize(value.data());
      ++rows;
    }
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.rows.rows.size()));
}
BENCHMARK(BM_RowsToJson);

/// The whole event: header, CRC32, rows event body, then the images and keys.
void BM_EventToJson(benchmark::State& state) {
  Fixture& f = Get();
  RowsReader reader;
  std::string value, key;
  int64_t rows = 0;
  for (auto _ : state) {
    auto e = f.decoder.Decode(f.events[45]);
    const auto& ev = std::get<RowsEvent>(e->body);
    if (!reader.Start(ev, f.schema).ok()) state.SkipWithError("start");
    while (!reader.done()) {
      value.clear();
      key.clear();
      if (!reader.AppendImage(value).ok()) state.SkipWithError("image");
      reader.AppendKey(key, value);
      benchmark::DoNotOptimize(value.data());
      ++rows;
    }
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.events[45].size()));
}
BENCHMARK(BM_EventToJson);

}  // namespace

BENCHMARK_MAIN();
