#pragma once
// Shared by the transform benchmarks: the records and the loop that runs a transform over them
// as a chain does (RecordContext per record, Apply, Commit).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "record/record.h"
#include "transforms/record_arena.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::bench {

/// `n` user records of ~130 bytes: {"user_id":i,"name":..,"email":..,"tags":[..],"score":12.5}.
inline std::vector<Record> MakeUserRecords(size_t n) {
  std::vector<Record> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].key = "{\"user_id\":" + std::to_string(i) + "}";
    out[i].value = "{\"user_id\":" + std::to_string(i) +
                   ",\"name\":\"ada lovelace\",\"email\":\"ada" + std::to_string(i) +
                   "@example.com\",\"tags\":[\"math\",\"engines\"],\"score\":12.5}";
  }
  return out;
}

/// Records/s of `t` over MakeUserRecords(n); `sample` gets the first record's value afterwards.
/// Exits on a transform error.
inline double RecordsPerSecond(transforms::Transform& t, size_t n, std::string* sample) {
  std::vector<Record> records = MakeUserRecords(n);
  const auto t0 = std::chrono::steady_clock::now();
  for (Record& r : records) {
    transforms::RecordArenaScope arena;
    transforms::RecordContext rc(r, "users");
    auto outcome = t.Apply(rc);
    if (!outcome.ok()) {
      std::fprintf(stderr, "%s\n", outcome.status().ToString().c_str());
      std::exit(1);
    }
    rc.Commit();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  *sample = records[0].value.value_or("null");
  return static_cast<double>(n) / secs;
}

}  // namespace rivven::bench
