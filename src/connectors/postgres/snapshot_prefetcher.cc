#include "connectors/postgres/snapshot_prefetcher.h"

#include <utility>

namespace rivven::postgres {

SnapshotPrefetcher::SnapshotPrefetcher(std::unique_ptr<pg::Connection> conn,
                                       const std::vector<TableShape>& tables, int64_t chunk_rows)
    : conn_(std::move(conn)), reader_(*conn_, tables, chunk_rows) {}

SnapshotPrefetcher::~SnapshotPrefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status SnapshotPrefetcher::Start(const std::string& snapshot_name, size_t table,
                                 std::optional<std::vector<std::optional<std::string>>> after) {
  RC_RETURN_IF_ERROR(reader_.Begin(snapshot_name));
  reader_.Seek(table, std::move(after));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void SnapshotPrefetcher::Run() {
  for (;;) {
    SnapshotChunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || ready_.size() < kChunksAhead; });
      if (stopping_) return;
      if (!free_.empty()) {
        chunk = std::move(free_.back());
        free_.pop_back();
      }
    }
    auto more = reader_.NextChunk(&chunk.rows, &chunk.count);
    std::lock_guard<std::mutex> lock(mu_);
    if (!more.ok()) {
      error_ = more.status();
      done_ = true;
    } else if (!*more) {
      done_ = true;
    } else {
      chunk.table = chunk.count > 0 ? chunk.rows[0].table : reader_.table();
      chunk.start = reader_.chunk_start();
      chunk.end = reader_.after();
      ready_.push_back(std::move(chunk));
    }
    changed_.notify_all();
    if (done_) return;
  }
}

Result<std::optional<SnapshotChunk>> SnapshotPrefetcher::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (!ready_.empty()) {
    SnapshotChunk chunk = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return std::optional<SnapshotChunk>(std::move(chunk));
  }
  if (!error_.ok()) return error_;
  return std::optional<SnapshotChunk>();
}

void SnapshotPrefetcher::Recycle(SnapshotChunk chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < kChunksAhead) free_.push_back(std::move(chunk));
}

Status SnapshotPrefetcher::Finish() {
  if (thread_.joinable()) thread_.join();
  return reader_.Commit();
}

}  // namespace rivven::postgres
