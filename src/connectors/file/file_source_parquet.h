#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace rivven::formats::parquet {
class Reader;
}

namespace rivven::file {

struct FileCursor;
class RecordOutput;

/// The rows of one Parquet file as records (compact JSON objects, see formats/parquet): the
/// file is read whole into memory (Parquet's footer is at its end) and its rows are emitted from
/// the cursor's `row` on. Position: `row` counts the rows emitted; `offset` stays 0 until every
/// row was emitted (or the file was rejected) and is then the file's size, so a finished file
/// looks read to its end to the rest of the source.
///
/// A file that does not parse is bad input (RecordOutput::Reject, the whole file) once it is
/// complete; while it may still be being written (`complete` false: watching, not quiet yet)
/// it is left alone and tried again when its size changes or it goes quiet. A corrupt page
/// after some rows were emitted rejects the rest of the file. Used by FileReader, one thread;
/// views the descriptor FileReader owns.
class ParquetFileReader {
 public:
  /// Files larger than this are rejected (they are held in memory whole).
  static constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;

  ParquetFileReader(std::string path, int fd);
  ~ParquetFileReader();

  /// Emits rows into `out` from `cursor->row` until `max_records` records or `max_bytes` of
  /// values, updating the cursor. True when the file is done (every row emitted or rejected, or
  /// waiting to be complete), false at a limit.
  Result<bool> Read(RecordOutput& out, size_t max_records, size_t max_bytes, bool complete,
                    FileCursor* cursor);

  /// Bytes of the file loaded (or tried, when it did not parse); 0 before.
  uint64_t loaded_bytes() const { return loaded_bytes_; }
  /// Rows are loaded and not all emitted yet.
  bool rows_left(const FileCursor& cursor) const;
  /// The last attempt found the file unparseable while it may still be being written.
  bool waiting() const { return waiting_; }
  bool loaded() const { return reader_ != nullptr; }
  /// An estimate of the bytes behind the rows emitted, for progress.
  uint64_t consumed_bytes(const FileCursor& cursor) const;
  /// Drops the file's bytes; the next Read loads them again.
  void Release();

 private:
  Result<bool> Load(RecordOutput& out, bool complete, FileCursor* cursor);

  std::string path_;
  int fd_;
  std::unique_ptr<formats::parquet::Reader> reader_;
  uint64_t loaded_bytes_ = 0;
  int64_t num_rows_ = 0;
  bool waiting_ = false;
};

}  // namespace rivven::file
