// Fuzz target of the embedded broker's recovery (src/broker/embedded): any bytes, written as a
// partition's segment and index files and as the offsets store's file, must open (recovering a
// torn or corrupt tail) or fail with a Status that names the damage — never crash, hang, or read
// outside what is on disk. A log that opens must read back in offset order without error, take a
// new batch at its end, and open again cleanly after Close with that batch readable.
//
// Input: two option bytes, then up to five files separated by "@@FILE@@":
//   0: 00000000000000000000.log   1: its .index
//   2: the second segment's .log  3: its .index (base offset: the second option byte)
//   4: offsets.log
// Option bits (first byte): 1 the previous run shut down cleanly, 2 open read-only.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "broker/embedded/offsets_store.h"
#include "broker/embedded/partition_log.h"
#include "broker/embedded/partition_reader.h"
#include "broker/embedded/record_batch.h"
#include "broker/embedded/segment.h"

namespace {

using namespace rivven;
using namespace rivven::embedded;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<std::string_view> SplitFiles(std::string_view input) {
  static constexpr std::string_view kSeparator = "@@FILE@@";
  std::vector<std::string_view> parts;
  while (parts.size() < 4) {
    const size_t at = input.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(input);
  return parts;
}

void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Check(out.good());
}

/// Reads everything from the start; returns the offset after the last record, or -1 on an
/// error (a Corruption naming the file).
int64_t ReadAll(PartitionLog& log) {
  PartitionReader reader(&log, log.start_offset());
  std::vector<ConsumedRecord> records;
  int64_t last = -1;
  for (int calls = 0; calls < 10000; ++calls) {
    records.clear();
    Result<size_t> n = reader.Read(100, &records);
    if (!n.ok()) {
      Check(!n.status().message().empty());
      return -1;
    }
    if (*n == 0) return reader.next().value();
    for (const ConsumedRecord& r : records) {
      Check(r.offset.value() > last);
      Check(r.offset.value() < log.durable_end().value());
      last = r.offset.value();
    }
  }
  Check(false);  // a reader that never reaches the end of a small log
  return -1;
}

/// A fresh directory for one input (tmpfs when there is one: fsyncs are cheap there).
std::filesystem::path TempDir() {
  static const std::string root = std::filesystem::is_directory("/dev/shm")
                                      ? "/dev/shm"
                                      : std::filesystem::temp_directory_path().string();
  std::string templ = root + "/rivven-log-fuzz-XXXXXX";
  Check(mkdtemp(templ.data()) != nullptr);
  return templ;
}

void RecoverPartition(const std::filesystem::path& dir, uint8_t flags) {
  const bool clean = (flags & 1) != 0;
  LogConfig config;
  config.segment_bytes = 4096;  // rolls within a small input
  config.read_only = (flags & 2) != 0;
  std::vector<std::string> report;
  Result<std::unique_ptr<PartitionLog>> opened =
      PartitionLog::Open(dir.string(), "t", 0, config, clean, &report);
  if (!opened.ok()) {
    Check(!opened.status().message().empty());
    return;
  }
  PartitionLog& log = **opened;
  Check(log.start_offset().value() <= log.durable_end().value());
  const int64_t end = ReadAll(log);
  if (config.read_only) return;
  // A writable log was recovered to an intact tail (a clean shutdown claims it already is).
  // Damage inside an earlier segment may only be found by reading (recovery checks their ends),
  // and is then a Corruption error (-1).
  if (!clean) Check(end == -1 || end == log.durable_end().value());

  Record record;
  record.value = "appended after recovery";
  std::string batch;
  EncodeBatch(std::span<const Record>(&record, 1), 1, &batch);
  Result<Offset> appended = log.Append(std::span<char>(batch));
  if (!appended.ok()) return;
  if (!log.Sync().ok()) return;
  const int64_t after = appended->value();
  Check(log.Close().ok());
  opened->reset();

  // Whatever was recovered, the log we wrote and closed opens cleanly and ends with our batch.
  report.clear();
  config.read_only = false;
  Result<std::unique_ptr<PartitionLog>> again =
      PartitionLog::Open(dir.string(), "t", 0, config, /*clean_shutdown=*/false, &report);
  Check(again.ok());
  Check((*again)->durable_end().value() == after);
  if (!clean && end != -1) Check(ReadAll(**again) == after);
  (void)(*again)->Close();
}

void RecoverOffsets(const std::filesystem::path& file, uint8_t flags) {
  std::vector<std::string> report;
  Result<std::unique_ptr<OffsetsStore>> store =
      OffsetsStore::Open(file.string(), (flags & 2) != 0, &report, 256);
  if (!store.ok()) {
    Check(!store.status().message().empty());
    return;
  }
  (void)(*store)->Load("source");
  (void)(*store)->Committed("group", "t", 0);
  if (flags & 2) return;
  Check((*store)->Save("source", "position after recovery").ok());
  Check((*store)->Compact().ok());
  (*store)->Close();
  store->reset();
  report.clear();
  Result<std::unique_ptr<OffsetsStore>> again = OffsetsStore::Open(file.string(), false, &report);
  Check(again.ok());
  Result<std::optional<std::string>> position = (*again)->Load("source");
  Check(position.ok() && *position == std::optional<std::string>("position after recovery"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Recovery warns about every tail it cuts; with damaged input that is every run.
  static const bool quiet = (log::Init(log::Format::kText, log::Level::kError), true);
  (void)quiet;
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const int64_t second_base = data[1];
  const std::vector<std::string_view> files =
      SplitFiles(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));

  const std::filesystem::path dir = TempDir();
  const std::filesystem::path partition = dir / "t" / "0";
  std::filesystem::create_directories(partition);
  WriteFile(partition / Segment::FileName(Offset(0), ".log"), files[0]);
  if (files.size() > 1) WriteFile(partition / Segment::FileName(Offset(0), ".index"), files[1]);
  if (files.size() > 2 && second_base > 0) {
    WriteFile(partition / Segment::FileName(Offset(second_base), ".log"), files[2]);
    if (files.size() > 3) {
      WriteFile(partition / Segment::FileName(Offset(second_base), ".index"), files[3]);
    }
  }
  RecoverPartition(partition, flags);
  if (files.size() > 4) {
    WriteFile(dir / "offsets.log", files[4]);
    RecoverOffsets(dir / "offsets.log", flags);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
