#include "connectors/file/file_source_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "connectors/file/file_source_parquet.h"
#include "formats/csv_reader.h"
#include "formats/json_reader.h"

namespace rivven::file {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kRawSnippet = 64;  // bytes shown for a structural error with no record

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

size_t CountNewlines(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

std::string_view WithoutLineBreak(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

FileReader::FileReader(const FileSourceConfig& config, std::string path, int fd, FileCursor start)
    : config_(config),
      path_(std::move(path)),
      fd_(fd),
      compactor_(std::make_unique<formats::JsonCompactor>()) {
  if (config_.format == SourceFormat::kParquet) {
    parquet_ = std::make_unique<ParquetFileReader>(path_, fd_);
    cursor_ = start;
    return;
  }
  if (config_.format == SourceFormat::kCsv) {
    csv_parser_ = std::make_unique<formats::CsvRecordParser>(config_.csv.delimiter);
  }
  ResetDecoding(start);
}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

void FileReader::ResetDecoding(FileCursor at) {
  cursor_ = at;
  base_ = at.offset;
  pos_ = 0;
  end_ = 0;
  eof_ = false;
  scan_line_ = at.line;
  skipping_line_ = false;
  resume_offset_ = 0;
  resume_line_ = 0;
  if (config_.format == SourceFormat::kCsv) {
    layout_ = Layout::kCsv;
    if (!csv_encoder_) {
      csv_encoder_ = std::make_unique<formats::CsvJsonEncoder>(
          formats::CsvJsonOptions{config_.csv.infer_types});
    }
    if (config_.csv.header && !csv_encoder_->has_header() && at.offset > 0) {
      // Resuming: the field names are on the first line; read it, then jump back to `at`.
      resume_offset_ = at.offset;
      resume_line_ = at.line;
      base_ = 0;
      scan_line_ = 0;
    }
  } else if (at.json_array) {
    layout_ = Layout::kArray;
    splitter_ = std::make_unique<formats::JsonArraySplitter>(/*after_element=*/at.offset > 0);
  } else {
    layout_ = at.offset > 0 ? Layout::kLines : Layout::kUndecided;
  }
  at_start_ = base_ == 0;
}

uint64_t FileReader::consumed_offset() const {
  return parquet_ ? parquet_->consumed_bytes(cursor_) : base_ + pos_;
}

uint64_t FileReader::read_offset() const {
  return parquet_ ? parquet_->loaded_bytes() : base_ + end_;
}

bool FileReader::buffered() const { return parquet_ ? parquet_->loaded() : buf_ != nullptr; }

bool FileReader::records_pending() const { return parquet_ && parquet_->rows_left(cursor_); }

bool FileReader::waiting_for_complete() const { return parquet_ && parquet_->waiting(); }

void FileReader::ReleaseBuffer() {
  if (parquet_) {
    parquet_->Release();
    return;
  }
  buf_.reset();
  capacity_ = 0;
  ResetDecoding(cursor_);
}

void FileReader::Restart(FileCursor at) {
  if (parquet_) {
    parquet_ = std::make_unique<ParquetFileReader>(path_, fd_);
    cursor_ = at;
    return;
  }
  csv_encoder_.reset();
  splitter_.reset();
  ResetDecoding(at);
}

std::string FileReader::Where(uint64_t line) const { return path_ + ":" + std::to_string(line); }

void FileReader::Consume(size_t bytes, size_t newlines, bool commit) {
  pos_ += bytes;
  scan_line_ += newlines;
  if (commit) {
    cursor_.offset = base_ + pos_;
    cursor_.line = scan_line_;
  }
}

Result<size_t> FileReader::Fill() {
  if (!buf_) {
    capacity_ = kChunkBytes;
    buf_ = std::make_unique<char[]>(capacity_ + formats::kJsonPadding);
  }
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (capacity_ - end_ < kChunkBytes / 2) {
    // One record fills the buffer: double it (bounded by kMaxRecordBytes, checked by Read).
    const size_t grown = capacity_ * 2;
    auto bigger = std::make_unique<char[]>(grown + formats::kJsonPadding);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    capacity_ = grown;
  }
  ssize_t n;
  do {
    n = ::pread(fd_, buf_.get() + end_, capacity_ - end_, static_cast<off_t>(base_ + end_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return Status::FromErrno(errno, "reading " + path_).WithDisposition(Disposition::kRetriable);
  }
  end_ += static_cast<size_t>(n);
  eof_ = n == 0;
  return static_cast<size_t>(n);
}

Result<bool> FileReader::Read(RecordOutput& out, size_t max_records, size_t max_bytes,
                              bool complete) {
  if (parquet_) return parquet_->Read(out, max_records, max_bytes, complete, &cursor_);
  eof_ = false;  // the file may have grown since the last call: look again before trusting EOF
  // The byte limit counts input, so a run of rejected or blank lines also ends a call.
  const uint64_t start = consumed_offset();
  size_t records = 0;
  while (records < max_records && consumed_offset() - start < max_bytes) {
    const bool at_eof = complete && eof_;
    bool emitted = false;
    RC_ASSIGN_OR_RETURN(Step step, DecodeNext(out, at_eof, &emitted));
    if (step == Step::kProgress) {
      records += emitted ? 1 : 0;
      continue;
    }
    if (complete && eof_) return true;  // everything up to EOF decoded
    if (end_ - pos_ >= kMaxRecordBytes) {
      if (layout_ != Layout::kLines) {
        return Status::InvalidArgument(Where(scan_line_ + 1) + ": a record longer than " +
                                       std::to_string(kMaxRecordBytes >> 20) +
                                       " MiB (an unbalanced quote or bracket?)");
      }
      // A JSON line too long to hold: reject its start, then skip to its end.
      RC_RETURN_IF_ERROR(out.Reject(Pending().substr(0, 1024), scan_line_ + 1, base_ + pos_,
                                    "line longer than " + std::to_string(kMaxRecordBytes >> 20) +
                                        " MiB (first 1 KiB shown)"));
      skipping_line_ = true;
      Consume(end_ - pos_, 0, false);  // no line break in it, or it would have ended
    }
    RC_ASSIGN_OR_RETURN(size_t got, Fill());
    if (got == 0 && !complete) return true;  // a partial last record waits for its end
  }
  return false;
}

Result<FileReader::Step> FileReader::DecodeNext(RecordOutput& out, bool at_eof, bool* emitted) {
  if (at_start_) {
    const std::string_view data = Pending();
    if (data.size() < kBom.size() && !at_eof && kBom.substr(0, data.size()) == data) {
      return Step::kNeedMore;
    }
    if (data.substr(0, kBom.size()) == kBom) Consume(kBom.size(), 0, false);
    at_start_ = false;
  }
  switch (layout_) {
    case Layout::kUndecided: {
      const formats::JsonLayout layout = formats::DetectJsonLayout(Pending(), at_eof);
      if (layout == formats::JsonLayout::kUndecided) {
        if (end_ - pos_ < kChunkBytes) return Step::kNeedMore;
        layout_ = Layout::kArray;  // a first line over 1 MiB starting with '[': an array
      } else {
        layout_ = layout == formats::JsonLayout::kArray ? Layout::kArray : Layout::kLines;
      }
      if (layout_ == Layout::kArray) {
        cursor_.json_array = true;
        splitter_ = std::make_unique<formats::JsonArraySplitter>();
      }
      return Step::kProgress;
    }
    case Layout::kLines:
      return DecodeJsonLine(out, at_eof, emitted);
    case Layout::kArray:
      return DecodeJsonArray(out, at_eof, emitted);
    case Layout::kCsv:
      return DecodeCsv(out, at_eof, emitted);
  }
  return Step::kNeedMore;
}

Result<FileReader::Step> FileReader::DecodeJsonLine(RecordOutput& out, bool at_eof, bool* emitted) {
  const std::string_view data = Pending();
  if (data.empty()) return Step::kNeedMore;
  const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
  if (skipping_line_) {
    if (nl == nullptr) {
      Consume(data.size(), 0, at_eof);
      return at_eof ? Step::kProgress : Step::kNeedMore;
    }
    skipping_line_ = false;
    Consume(static_cast<size_t>(nl - data.data()) + 1, 1, true);
    return Step::kProgress;
  }
  if (nl == nullptr && !at_eof) return Step::kNeedMore;
  const size_t length = nl ? static_cast<size_t>(nl - data.data()) : data.size();
  const size_t consumed = nl ? length + 1 : length;
  std::string_view line = data.substr(0, length);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (IsBlank(line)) {
    Consume(consumed, nl ? 1 : 0, true);
    return Step::kProgress;
  }
  // The line is followed by buffered bytes or the buffer's padding: CompactPadded may read
  // past it.
  Status s = compactor_->CompactPadded(line, &value_);
  if (s.ok()) {
    *emitted = true;
    out.Emit(std::move(value_));
    value_ = std::string();
  } else {
    RC_RETURN_IF_ERROR(out.Reject(line, scan_line_ + 1, base_ + pos_, s.message()));
  }
  Consume(consumed, nl ? 1 : 0, true);
  return Step::kProgress;
}

Result<FileReader::Step> FileReader::DecodeJsonArray(RecordOutput& out, bool at_eof,
                                                     bool* emitted) {
  const std::string_view data = Pending();
  const formats::JsonArraySplitter::Step step = splitter_->Next(data, at_eof);
  using Outcome = formats::JsonArraySplitter::Outcome;
  switch (step.outcome) {
    case Outcome::kElement: {
      const std::string_view element =
          data.substr(step.element_begin, step.element_end - step.element_begin);
      const uint64_t line = scan_line_ + CountNewlines(data.substr(0, step.element_begin)) + 1;
      Status s = compactor_->CompactPadded(element, &value_);
      if (s.ok()) {
        *emitted = true;
        out.Emit(std::move(value_));
        value_ = std::string();
      } else {
        RC_RETURN_IF_ERROR(out.Reject(element, line, base_ + pos_ + step.element_begin,
                                      "array element: " + s.message()));
      }
      Consume(step.consumed, CountNewlines(data.substr(0, step.consumed)), true);
      return Step::kProgress;
    }
    case Outcome::kError: {
      const uint64_t line = scan_line_ + CountNewlines(data.substr(0, step.element_begin)) + 1;
      const std::string_view raw =
          step.element_end > step.element_begin
              ? data.substr(step.element_begin, step.element_end - step.element_begin)
              : data.substr(step.element_begin, kRawSnippet);
      RC_RETURN_IF_ERROR(out.Reject(raw, line, base_ + pos_ + step.element_begin, step.error));
      Consume(step.consumed, CountNewlines(data.substr(0, step.consumed)), false);
      return Step::kProgress;
    }
    case Outcome::kNeedMore:
    case Outcome::kEnd:
      Consume(step.consumed, CountNewlines(data.substr(0, step.consumed)), false);
      return Step::kNeedMore;
  }
  return Step::kNeedMore;
}

void FileReader::ResumeAfterHeader() {
  base_ = resume_offset_;
  scan_line_ = resume_line_;
  pos_ = 0;
  end_ = 0;
  eof_ = false;
  resume_offset_ = 0;
}

Result<FileReader::Step> FileReader::DecodeCsv(RecordOutput& out, bool at_eof, bool* emitted) {
  const std::string_view data = Pending();
  if (data.empty()) return Step::kNeedMore;
  const formats::CsvRecordParser::Parsed p = csv_parser_->Parse(data, at_eof);
  using Outcome = formats::CsvRecordParser::Outcome;
  if (p.outcome == Outcome::kNeedMore) return Step::kNeedMore;
  const uint64_t line = scan_line_ + 1;
  const bool commit = resume_offset_ == 0;
  if (p.outcome == Outcome::kUnterminatedQuote) {
    if (resume_offset_ > 0) {
      // Re-reading the header for a restart: the run that wrote the checkpoint already rejected
      // this open quote, which ran to the end of the file, so the checkpoint is past it.
      ResumeAfterHeader();
      return Step::kProgress;
    }
    RC_RETURN_IF_ERROR(out.Reject(data, line, base_ + pos_,
                                  "unterminated quoted field (no closing '\"' before the end "
                                  "of the file)"));
    Consume(p.consumed, CountNewlines(data.substr(0, p.consumed)), commit);
    return Step::kProgress;
  }
  if (csv_parser_->blank()) {
    Consume(p.consumed, p.newlines, commit);
    return Step::kProgress;
  }
  if (config_.csv.header && !csv_encoder_->has_header()) {
    Status s = csv_encoder_->SetHeader(*csv_parser_);
    if (!s.ok()) return Status::InvalidArgument(Where(line) + ": " + s.message());
    if (resume_offset_ > 0) {
      ResumeAfterHeader();
      return Step::kProgress;
    }
    Consume(p.consumed, p.newlines, true);
    return Step::kProgress;
  }
  Status s = csv_encoder_->Encode(*csv_parser_, &value_);
  if (s.ok()) {
    *emitted = true;
    out.Emit(std::move(value_));
    value_ = std::string();
  } else {
    RC_RETURN_IF_ERROR(
        out.Reject(WithoutLineBreak(data.substr(0, p.consumed)), line, base_ + pos_, s.message()));
  }
  Consume(p.consumed, p.newlines, true);
  return Step::kProgress;
}

}  // namespace rivven::file
