// How cheap is fetching the binlog (BinlogStream::Next)?
// Starts a throwaway MariaDB and writes two workloads to its binlog:
//   bulk:  one INSERT ... SELECT of N rows of about 200 bytes (RIVVEN_MYSQL_BINLOG_BENCH_ROWS,
//          default 1,000,000): large row events of about 8 kB;
//   small: M single-row transactions (RIVVEN_MYSQL_BINLOG_BENCH_SMALL_TXNS, default 100,000):
//          four small events each (GTID, TABLE_MAP, WRITE_ROWS, XID), where per-event costs show.
// Each is streamed through BinlogStream several times (RIVVEN_MYSQL_BINLOG_BENCH_PASSES,
// default 3), printing events/s, MB/s and this
// process's CPU seconds. The server is another process: its CPU is not counted.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "clients/mysql/binlog_stream.h"
#include "support/mariadb_server.h"

namespace {

using rivven::mysql::BinlogStream;
using rivven::mysql::EventType;
using rivven::testing::MariadbServer;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

struct Position {
  std::string file;
  uint64_t position = 0;
};

Position Master(const MariadbServer& server) {
  auto conn = server.Connect();
  auto r = conn->Query("SHOW MASTER STATUS");
  RC_ASSERT(r.ok() && r->rows() == 1);
  return {std::string(*r->Value(0, "File")), std::stoull(std::string(*r->Value(0, "Position")))};
}

// Streams from `from` until the event that ends at `to`; returns false on an error.
bool StreamOnce(const MariadbServer& server, const char* name, const Position& from,
                const Position& to, long rows) {
  BinlogStream::Options o;
  o.server_id = 901;
  o.file = from.file;
  o.position = from.position;
  auto stream = BinlogStream::Open(server.RivvenParams(), o);
  if (!stream.ok()) {
    std::fprintf(stderr, "%s\n", stream.status().ToString().c_str());
    return false;
  }
  uint64_t events = 0, row_events = 0, bytes = 0;
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    auto e = (*stream)->Next();
    if (!e.ok()) {
      std::fprintf(stderr, "%s\n", e.status().ToString().c_str());
      return false;
    }
    ++events;
    bytes += e->bytes.size();
    row_events += e->type == EventType::kWriteRowsV1 ? 1 : 0;
    if (e->next_position >= to.position && (*stream)->current_file() == to.file) break;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf(
      "%s: %lu events (%lu row events, %ld rows), %.1f MB in %.3f s wall: "
      "%.0f events/s, %.1f MB/s, %.0f rows/s; CPU %.3f s (%.3f s per 100 MB, %.2f us per event, "
      "%.0f%% of wall)\n",
      name, static_cast<unsigned long>(events),
      static_cast<unsigned long>(row_events), rows, mb, wall, static_cast<double>(events) / wall,
      mb / wall, static_cast<double>(rows) / wall, cpu, cpu / mb * 100,
      cpu * 1e6 / static_cast<double>(events), cpu / wall * 100);
  return true;
}

}  // namespace

int main() {
  const long rows = EnvOr("RIVVEN_MYSQL_BINLOG_BENCH_ROWS", 1000000);
  const long small_txns = EnvOr("RIVVEN_MYSQL_BINLOG_BENCH_SMALL_TXNS", 100000);
  const long passes = EnvOr("RIVVEN_MYSQL_BINLOG_BENCH_PASSES", 3);
  std::string error;
  auto server = MariadbServer::Start({}, &error);
  if (server == nullptr) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  // About 200 bytes per row image: 8 + 61 + 101 + 8 + 8 + 20 (+ null bitmap).
  const std::string setup =
      "CREATE TABLE bench (id BIGINT PRIMARY KEY, a CHAR(60), b VARCHAR(100), c BIGINT, "
      "d DOUBLE, e VARCHAR(20)) ENGINE=InnoDB";
  if (const std::string e = server->Exec(setup, "rivven_test"); !e.empty()) {
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
  }
  const Position from = Master(*server);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string insert =
      "INSERT INTO bench SELECT seq, REPEAT('a', 60), REPEAT(CHAR(65 + seq % 26), 100), "
      "seq * 7, seq / 3, CONCAT('row-', seq) FROM seq_1_to_" +
      std::to_string(rows);
  if (const std::string e = server->Exec(insert, "rivven_test"); !e.empty()) {
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
  }
  const Position to = Master(*server);
  std::printf(
      "MariaDB %s: INSERT ... SELECT of %ld rows took %.1f s; binlog %s %lu..%lu (%.1f MB)\n",
      server->QueryValue("SELECT VERSION()").c_str(), rows,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
      from.file.c_str(), static_cast<unsigned long>(from.position),
      static_cast<unsigned long>(to.position),
      static_cast<double>(to.position - from.position) / 1e6);

  // Small transactions: autocommit makes every INSERT in the loop its own transaction.
  const std::string small_setup =
      "CREATE TABLE small (id BIGINT PRIMARY KEY, a VARCHAR(100), c BIGINT) ENGINE=InnoDB;"
      "CREATE PROCEDURE fill(n INT) BEGIN DECLARE i INT DEFAULT 0; WHILE i < n DO "
      "INSERT INTO small VALUES (i, REPEAT('s', 100), i * 3); SET i = i + 1; END WHILE; END";
  if (const std::string e = server->Exec(small_setup, "rivven_test"); !e.empty()) {
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
  }
  const Position small_from = Master(*server);
  const auto t1 = std::chrono::steady_clock::now();
  if (const std::string e =
          server->Exec("CALL fill(" + std::to_string(small_txns) + ")", "rivven_test");
      !e.empty()) {
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
  }
  const Position small_to = Master(*server);
  std::printf("%ld single-row transactions took %.1f s; binlog %s %lu..%lu (%.1f MB)\n", small_txns,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(),
              small_from.file.c_str(), static_cast<unsigned long>(small_from.position),
              static_cast<unsigned long>(small_to.position),
              static_cast<double>(small_to.position - small_from.position) / 1e6);
  if (to.file != from.file || small_to.file != small_from.file) {
    std::fprintf(stderr, "a workload spans binlog files; lower the counts\n");
    return 1;
  }
  for (long pass = 0; pass < passes; ++pass) {
    if (!StreamOnce(*server, "bulk", from, to, rows)) return 1;
  }
  for (long pass = 0; pass < passes; ++pass) {
    if (!StreamOnce(*server, "small", small_from, small_to, small_txns)) return 1;
  }
  return 0;
}
