#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "clients/pg/pg_connection.h"
#include "connectors/postgres/snapshot_reader.h"

namespace rivven::postgres {

/// A chunk read by the snapshot, with where a restart resumes before and after it.
struct SnapshotChunk {
  size_t table = 0;
  std::vector<SnapshotRow> rows;
  size_t count = 0;  ///< rows[0, count) belong to this chunk
  std::optional<std::vector<std::optional<std::string>>> start, end;
};

/// Reads the snapshot's chunks on a thread of its own, a couple of chunks ahead of the caller,
/// so the server runs the next COPY while the caller turns the current one into events. Owns
/// its connection (the snapshot transaction lives on it). Chunks handed back with Recycle are
/// reused, so rows are allocated once.
class SnapshotPrefetcher {
 public:
  SnapshotPrefetcher(std::unique_ptr<pg::Connection> conn, const std::vector<TableShape>& tables,
                     int64_t chunk_rows);
  ~SnapshotPrefetcher();

  /// Starts the REPEATABLE READ transaction (importing `snapshot_name` when given), positions
  /// the reader, and starts reading ahead.
  Status Start(const std::string& snapshot_name, size_t table,
               std::optional<std::vector<std::optional<std::string>>> after);
  /// The next chunk; nullopt once every table is read. Blocks while the reader is behind.
  Result<std::optional<SnapshotChunk>> Next();
  /// Gives a consumed chunk back for reuse.
  void Recycle(SnapshotChunk chunk);
  /// After the last chunk: commits the snapshot transaction.
  Status Finish();

 private:
  void Run();

  static constexpr size_t kChunksAhead = 2;

  std::unique_ptr<pg::Connection> conn_;
  SnapshotReader reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<SnapshotChunk> ready_;
  std::vector<SnapshotChunk> free_;
  bool done_ = false, stopping_ = false;
  Status error_;
};

}  // namespace rivven::postgres
