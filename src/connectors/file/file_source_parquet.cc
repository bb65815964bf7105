#include "connectors/file/file_source_parquet.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "connectors/file/file_source_reader.h"
#include "formats/parquet/parquet_reader.h"

namespace rivven::file {

ParquetFileReader::ParquetFileReader(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

ParquetFileReader::~ParquetFileReader() = default;

void ParquetFileReader::Release() { reader_.reset(); }

bool ParquetFileReader::rows_left(const FileCursor& cursor) const {
  return reader_ != nullptr && static_cast<int64_t>(cursor.row) < num_rows_;
}

uint64_t ParquetFileReader::consumed_bytes(const FileCursor& cursor) const {
  if (cursor.offset > 0) return cursor.offset;
  if (num_rows_ <= 0) return 0;
  return static_cast<uint64_t>(static_cast<double>(loaded_bytes_) *
                               static_cast<double>(cursor.row) / static_cast<double>(num_rows_));
}

Result<bool> ParquetFileReader::Load(RecordOutput& out, bool complete, FileCursor* cursor) {
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    return Status::FromErrno(errno, "stat " + path_).WithDisposition(Disposition::kRetriable);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > kMaxFileBytes) {
    RC_RETURN_IF_ERROR(out.Reject("", cursor->row + 1, 0,
                                  "parquet file of " + std::to_string(size) +
                                      " bytes is larger than the " +
                                      std::to_string(kMaxFileBytes >> 20) +
                                      " MiB a file may have (it is read into memory whole)"));
    cursor->offset = size;
    loaded_bytes_ = size;
    return false;
  }
  std::string bytes(size, '\0');
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd_, bytes.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::FromErrno(errno, "reading " + path_).WithDisposition(Disposition::kRetriable);
    }
    if (n == 0) break;  // shrank since fstat: parsed as it is (and most likely rejected)
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  loaded_bytes_ = got;
  Result<std::unique_ptr<formats::parquet::Reader>> reader =
      formats::parquet::Reader::Open(std::move(bytes));
  if (!reader.ok()) {
    if (!complete) {
      waiting_ = true;  // perhaps still being written: try again once it changes or goes quiet
      return false;
    }
    waiting_ = false;
    RC_RETURN_IF_ERROR(out.Reject("", cursor->row + 1, 0,
                                  "not a readable Parquet file: " + reader.status().message()));
    cursor->offset = got;
    return false;
  }
  waiting_ = false;
  reader_ = std::move(*reader);
  num_rows_ = reader_->num_rows();
  return true;
}

Result<bool> ParquetFileReader::Read(RecordOutput& out, size_t max_records, size_t max_bytes,
                                     bool complete, FileCursor* cursor) {
  if (cursor->offset > 0) return true;  // finished earlier
  if (!reader_) {
    RC_ASSIGN_OR_RETURN(bool loaded, Load(out, complete, cursor));
    if (!loaded) return true;
  }
  size_t records = 0;
  size_t bytes = 0;
  Status rejected;
  Status s = reader_->ForEachRowFrom(static_cast<int64_t>(cursor->row), [&](std::string_view row) {
    bytes += row.size();
    out.Emit(std::string(row));
    ++cursor->row;
    return ++records < max_records && bytes < max_bytes;
  });
  if (!s.ok()) {
    // The rows before the bad page were emitted; the rest of the file is rejected as one.
    RC_RETURN_IF_ERROR(out.Reject("", cursor->row + 1, 0,
                                  "row " + std::to_string(cursor->row + 1) + " of " +
                                      std::to_string(num_rows_) + " and after: " + s.message()));
    cursor->offset = loaded_bytes_;
    reader_.reset();
    return true;
  }
  if (static_cast<int64_t>(cursor->row) >= num_rows_) {
    cursor->offset = loaded_bytes_;  // every row emitted: the file is done
    reader_.reset();
    return true;
  }
  return false;
}

}  // namespace rivven::file
