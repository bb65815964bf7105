// The shared body of the CSV and JSON fuzz targets: runs the file source's FileReader
// (src/connectors/file/file_source_reader.h) over one input held in a memfd, three ways, and
// checks that all three see the same records:
//
//  1. the whole file, one record per Read call, noting the cursor after each call;
//  2. a new reader opened at one of those cursors (a restart from a checkpoint), which must
//     continue with exactly the records (and rejections, at the same line and offset) that
//     followed that cursor in run 1 (a rejection that consumed no bytes may repeat);
//  3. a file that grows (watch mode): a prefix read with complete=false, then the rest appended
//     and read with complete=true, which must give exactly run 1's records (and its
//     rejections, which may come split in more pieces).
//
// Every record must be one compact JSON value, and every rejection must point inside the file.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/file/file_source_config.h"
#include "connectors/file/file_source_reader.h"
#include "formats/json_reader.h"

namespace rivven::fuzz {

inline void Check(bool condition) {
  if (!condition) __builtin_trap();
}

/// Records and rejections in file order, as comparable strings.
class EventLog : public file::RecordOutput {
 public:
  explicit EventLog(uint64_t file_size) : file_size_(file_size) {}

  void Emit(std::string value) override {
    Check(json_.Compact(value, &compact_).ok() && compact_ == value);
    events.push_back("record " + value);
  }
  Status Reject(std::string_view raw, uint64_t line, uint64_t offset,
                std::string_view why) override {
    Check(!why.empty());
    Check(line >= 1 && offset <= file_size_ && raw.size() <= file_size_);
    const std::string event = "reject " + std::to_string(line) + ":" + std::to_string(offset);
    // A problem found at the very end (an unterminated array) consumes no bytes, so no cursor
    // can say it was reported: a restart from the end reports it again. Kept apart.
    (offset == file_size_ ? at_end : events).push_back(event);
    return Status::Ok();
  }

  /// The byte offset of a rejection event; 0 for a record.
  uint64_t Offset(size_t i) const {
    const std::string& e = events[i];
    return e.starts_with("reject ") ? std::stoull(e.substr(e.find(':') + 1)) : 0;
  }

  std::vector<std::string> Records() const {
    std::vector<std::string> out;
    for (const std::string& e : events) {
      if (e.starts_with("record ")) out.push_back(e);
    }
    return out;
  }

  std::vector<std::string> events;
  std::vector<std::string> at_end;

 private:
  uint64_t file_size_;
  formats::JsonCompactor json_;
  std::string compact_;
};

/// A memfd holding `content`; -1 when the kernel has none.
inline int MemFile(std::string_view content) {
  const int fd = memfd_create("fuzz", 0);
  if (fd < 0) return -1;
  Check(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  return fd;
}

/// Reads until the end of the file's current contents; false on an error.
inline bool ReadToEnd(file::FileReader& reader, EventLog& log, bool complete,
                      std::vector<std::pair<size_t, file::FileCursor>>* cursors = nullptr) {
  for (int calls = 0; calls < 100000; ++calls) {
    const uint64_t before = reader.cursor().offset;
    Result<bool> end = reader.Read(log, 1, size_t{1} << 30, complete);
    if (!end.ok()) return false;
    Check(reader.cursor().offset >= before);
    if (cursors != nullptr) cursors->emplace_back(log.events.size(), reader.cursor());
    if (*end) return true;
  }
  Check(false);  // a reader that never reaches the end of a small file
  return false;
}

/// Runs the three reads described at the top of this file. `choice` picks the restart cursor
/// and the point where the growing file is cut.
/// `min_cut`: the growing file is never cut before this byte.
inline void CheckFileReader(const file::FileSourceConfig& config, std::string_view content,
                            uint32_t choice, size_t min_cut = 0) {
  std::vector<std::pair<size_t, file::FileCursor>> cursors;
  EventLog whole(content.size());
  {
    const int fd = MemFile(content);
    if (fd < 0) return;
    file::FileReader reader(config, "fuzz", fd, {});
    if (!ReadToEnd(reader, whole, true, &cursors)) return;
    Check(reader.cursor().offset <= content.size());
  }

  if (!cursors.empty()) {
    const auto& [seen, cursor] = cursors[choice % cursors.size()];
    EventLog rest(content.size());
    const int fd = MemFile(content);
    file::FileReader reader(config, "fuzz", fd, cursor);
    Check(ReadToEnd(reader, rest, true));
    // A structural problem of a JSON array (a missing ',', data after the closing ']') is
    // reported without moving the cursor past it, so a restart there reports it again: at most
    // such rejections, already reported at or after the cursor, repeat.
    const std::vector<std::string> before(whole.events.begin(), whole.events.begin() + seen);
    size_t repeated = 0;
    while (repeated < rest.events.size() && rest.Offset(repeated) >= cursor.offset &&
           std::find(before.begin(), before.end(), rest.events[repeated]) != before.end()) {
      ++repeated;
    }
    Check(std::vector<std::string>(rest.events.begin() + repeated, rest.events.end()) ==
          std::vector<std::string>(whole.events.begin() + seen, whole.events.end()));
  }

  min_cut = std::min(min_cut, content.size());
  const size_t cut = min_cut + (choice >> 8) % (content.size() - min_cut + 1);
  EventLog grown(content.size());
  const int fd = MemFile(content.substr(0, cut));
  file::FileReader reader(config, "fuzz", fd, {});
  Check(ReadToEnd(reader, grown, false));
  const std::string_view tail = content.substr(cut);
  Check(pwrite(fd, tail.data(), tail.size(), static_cast<off_t>(cut)) ==
        static_cast<ssize_t>(tail.size()));
  Check(ReadToEnd(reader, grown, true));
  // The same records; rejections may split differently (data after a JSON array's closing ']'
  // that arrives in pieces is rejected piece by piece), but none of one read goes missing.
  Check(grown.Records() == whole.Records() && grown.at_end == whole.at_end);
  for (const std::string& e : whole.events) {
    Check(std::find(grown.events.begin(), grown.events.end(), e) != grown.events.end());
  }
}

}  // namespace rivven::fuzz
