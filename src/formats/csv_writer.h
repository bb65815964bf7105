#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

/// Writing CSV (RFC 4180): comma-separated fields, one record per line. Lines end with LF, not
/// the RFC's CRLF: every CSV reader accepts LF and Unix tools (`wc -l`, `cut`, `awk`) do not
/// leave a stray CR in the last field. Stateless functions; thread-safe.
namespace rivven::formats {

/// True when `field` must be quoted: it contains a comma, a double quote, CR or LF.
bool CsvNeedsQuotes(std::string_view field);

/// Appends one field. A field that needs quotes is enclosed in `"` with inner quotes doubled.
/// nullopt (a missing or null value) is written as nothing at all, while an empty string is
/// written as `""`, so a reader that cares (PostgreSQL's COPY … CSV, pandas with
/// keep_default_na) can tell them apart.
void AppendCsvField(std::string& out, std::optional<std::string_view> field);

/// Appends fields separated by commas, then "\n".
void AppendCsvRow(std::string& out, std::span<const std::optional<std::string_view>> fields);

/// Finds where CSV text produced by AppendCsvRow can be cut without splitting a record: a LF
/// outside quotes ends a record (a quoted field may contain line breaks, so a plain "last LF"
/// search is not enough). Feed the text from its first byte, in pieces of any size. Used to
/// repair a file whose tail was torn by a crash. One owner; not thread-safe.
class CsvRecordScanner {
 public:
  void Feed(std::string_view text);
  /// Bytes from the start up to and including the LF that ended the last complete record.
  uint64_t complete_bytes() const { return complete_; }
  /// Complete records seen (the header line counts as one).
  uint64_t records() const { return records_; }

 private:
  bool in_quotes_ = false;
  uint64_t offset_ = 0;
  uint64_t complete_ = 0;
  uint64_t records_ = 0;
};

}  // namespace rivven::formats
