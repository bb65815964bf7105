#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "connectors/file/file_source_config.h"

namespace rivven::formats {
class CsvJsonEncoder;
class CsvRecordParser;
class JsonArraySplitter;
class JsonCompactor;
}  // namespace rivven::formats

namespace rivven::file {

/// How far a file has been read, as the checkpoint records it.
struct FileCursor {
  uint64_t offset = 0;      ///< byte offset just after the last record emitted or rejected
                            ///< (parquet: 0 until the file is done, then its size)
  uint64_t line = 0;        ///< line breaks before `offset` (the next record starts on line + 1)
  bool json_array = false;  ///< format json: the file is one top-level array
  uint64_t row = 0;         ///< format parquet: rows emitted (the next row's 0-based index)
};

/// Receives what a FileReader decodes, in file order.
class RecordOutput {
 public:
  virtual ~RecordOutput() = default;
  /// A record value (compact JSON).
  virtual void Emit(std::string value) = 0;
  /// Bad input: `raw` bytes starting at `offset` on `line` (1-based), and why. An error return
  /// (on_error: fail) stops the reader, which returns it.
  virtual Status Reject(std::string_view raw, uint64_t line, uint64_t offset,
                        std::string_view why) = 0;
};

/// Decodes the records of one open file (JSON Lines, a top-level JSON array, or CSV) from a
/// buffer filled by pread(2), so memory stays bounded whatever the file size: a record may span
/// buffer refills (the buffer grows up to kMaxRecordBytes for one record). Parquet files are
/// handed to a ParquetFileReader (file_source_parquet.h), which holds the file whole and
/// positions by row.
///
/// The reader owns the file descriptor. It never emits a record it has not seen whole: while
/// `complete` is false (a watched file that may still be written) a last line without its line
/// break stays buffered until the break arrives. The cursor advances only past records handed
/// to the RecordOutput (emitted or rejected) and the blank lines between them, so a new reader
/// opened at cursor() continues exactly after them. Owned and called by one thread.
class ParquetFileReader;

class FileReader {
 public:
  static constexpr size_t kChunkBytes = 1 << 20;
  static constexpr size_t kMaxRecordBytes = 64 << 20;

  /// `fd` is an open, readable descriptor of `path` (owned from now on). Reading starts at
  /// `start` (a checkpointed cursor, or {} for the beginning).
  FileReader(const FileSourceConfig& config, std::string path, int fd, FileCursor start);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  /// Decodes records into `out` until `max_records` were emitted, `max_bytes` of the file were
  /// decoded, or the end of the file's current contents. `complete`: the file will not grow
  /// (not watching, or a rotated file that went quiet), so a last line without a line break is
  /// a record. Returns true when it stopped at the end of the file, false at a limit. Errors:
  /// I/O (retriable), a Reject that failed, a CSV record or JSON element over kMaxRecordBytes.
  Result<bool> Read(RecordOutput& out, size_t max_records, size_t max_bytes, bool complete);

  const FileCursor& cursor() const { return cursor_; }
  /// Bytes decoded so far (>= cursor().offset), for progress.
  uint64_t consumed_offset() const;
  /// Bytes taken from the file so far; a file now shorter than this was truncated.
  uint64_t read_offset() const;
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  bool buffered() const;
  /// Parquet: rows of a loaded file not emitted yet (the next Read has work without new bytes).
  bool records_pending() const;
  /// Parquet: the file did not parse while it may still be being written.
  bool waiting_for_complete() const;

  /// Frees the buffer of an idle reader; the next Read reads again from cursor().
  void ReleaseBuffer();
  /// Starts over at `at` (after a truncation: the beginning), forgetting header and layout.
  void Restart(FileCursor at);

 private:
  enum class Step { kProgress, kNeedMore };

  Result<Step> DecodeNext(RecordOutput& out, bool at_eof, bool* emitted);
  Result<Step> DecodeJsonLine(RecordOutput& out, bool at_eof, bool* emitted);
  Result<Step> DecodeJsonArray(RecordOutput& out, bool at_eof, bool* emitted);
  Result<Step> DecodeCsv(RecordOutput& out, bool at_eof, bool* emitted);
  /// CSV restart: the header was re-read (or cannot be); continue at the checkpointed cursor.
  void ResumeAfterHeader();
  /// Moves unread bytes to the front, grows if needed, and preads more. Returns bytes read.
  Result<size_t> Fill();
  void ResetDecoding(FileCursor at);
  std::string Where(uint64_t line) const;
  std::string_view Pending() const { return std::string_view(buf_.get() + pos_, end_ - pos_); }
  void Consume(size_t bytes, size_t newlines, bool commit);

  const FileSourceConfig& config_;
  std::string path_;
  int fd_;
  FileCursor cursor_;

  std::unique_ptr<char[]> buf_;  // capacity_ + formats::kJsonPadding bytes
  size_t capacity_ = 0;
  uint64_t base_ = 0;       // file offset of buf_[0]
  size_t pos_ = 0;          // first byte not decoded yet
  size_t end_ = 0;          // end of the bytes read
  bool eof_ = false;        // the last pread returned nothing
  uint64_t scan_line_ = 0;  // line breaks before base_ + pos_

  enum class Layout { kUndecided, kLines, kArray, kCsv };
  Layout layout_ = Layout::kUndecided;
  bool at_start_ = true;        // BOM not checked yet
  bool skipping_line_ = false;  // inside a JSON line longer than kMaxRecordBytes
  uint64_t resume_offset_ = 0;  // CSV: where to jump after re-reading the header
  uint64_t resume_line_ = 0;
  std::string value_;  // scratch for one value
  std::unique_ptr<formats::JsonCompactor> compactor_;
  std::unique_ptr<formats::JsonArraySplitter> splitter_;
  std::unique_ptr<formats::CsvRecordParser> csv_parser_;
  std::unique_ptr<formats::CsvJsonEncoder> csv_encoder_;
  std::unique_ptr<ParquetFileReader> parquet_;  // format parquet: everything above is unused
};

}  // namespace rivven::file
