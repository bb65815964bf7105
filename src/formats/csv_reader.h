#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rivven::formats {

/// Splits CSV text (RFC 4180) into records, one record per call, without doing any I/O: the
/// caller owns the bytes, and calls again with more of them when a record is incomplete (a
/// quoted field may span any number of lines and read buffers).
///
/// Dialect: fields separated by `delimiter`; records end at LF or CRLF (the CR is dropped); a
/// field that starts with `"` is quoted and may hold delimiters, line breaks and `""` (one
/// quote). Lenient where real files are sloppy, like Python's csv module: a quote inside an
/// unquoted field is data, and text after a closing quote is appended to the field
/// (`"ab"c` reads `abc`). Whitespace is never trimmed.
///
/// Not thread-safe; one parser per file reader.
class CsvRecordParser {
 public:
  enum class Outcome {
    kRecord,             ///< a complete record; fields valid until the next Parse
    kNeedMore,           ///< the record continues past `data` (only when !at_eof)
    kUnterminatedQuote,  ///< at_eof inside a quoted field
  };
  struct Parsed {
    Outcome outcome = Outcome::kNeedMore;
    size_t consumed = 0;  ///< bytes of the record, including its line break
    size_t newlines = 0;  ///< line breaks inside `consumed` (> 1 for quoted line breaks)
  };

  explicit CsvRecordParser(char delimiter = ',') : delimiter_(delimiter) {}

  /// Parses the record at the start of `data`. `at_eof`: no byte follows `data`, so a last
  /// record without a line break is complete and an open quote is an error.
  Parsed Parse(std::string_view data, bool at_eof);

  size_t size() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  /// True when field i was written in quotes (so `""` is an empty string, not a missing value).
  bool quoted(size_t i) const { return quoted_[i]; }
  /// True when the record was an empty line (one empty, unquoted field).
  bool blank() const { return fields_.size() == 1 && fields_[0].empty() && !quoted_[0]; }

 private:
  /// Where a field's bytes are: in the parsed data (no unescaping needed) or in storage_.
  struct Span {
    size_t begin = 0;
    size_t size = 0;
    bool in_storage = false;
  };

  Parsed ParseQuoted(std::string_view data, bool at_eof);
  bool Special(char c) const { return c == delimiter_ || c == '\n' || c == '\r'; }

  char delimiter_;
  std::vector<std::string_view> fields_;
  std::vector<bool> quoted_;
  std::string storage_;      // unescaped fields ("" inside quotes, text after a closing quote)
  std::vector<Span> spans_;  // fields of a record parsed by ParseQuoted
};

/// Options that turn CSV records into JSON objects.
struct CsvJsonOptions {
  /// Infer JSON types from the text: integers (int64) and decimals that a double holds to 15
  /// significant digits become numbers, true/false (any case: true, TRUE, True) booleans, an
  /// unquoted empty field null; everything else (007, 1e999, 12345678901234567890) a string.
  /// False: every field is a string (an empty one too).
  bool infer_types = true;
};

/// Appends one CSV field to `out` as a JSON value per `options` (see CsvJsonOptions). `field`
/// must be valid UTF-8.
void AppendCsvFieldAsJson(std::string& out, std::string_view field, bool quoted,
                          const CsvJsonOptions& options);

/// Turns the records of one CSV file into compact JSON objects `{"name":value,...}` in column
/// order. Column names come from the header record (SetHeader), or are column_1..column_N when
/// there is none. Thread-compatible (one per file reader).
class CsvJsonEncoder {
 public:
  explicit CsvJsonEncoder(CsvJsonOptions options) : options_(options) {}

  /// Takes column names from a header record: empty names become column_<i>, duplicates get a
  /// suffix (_2, _3, ...) so every key of an object is distinct. InvalidArgument for a header
  /// that is not valid UTF-8.
  Status SetHeader(const CsvRecordParser& header);
  bool has_header() const { return has_header_; }
  const std::vector<std::string>& columns() const { return columns_; }

  /// Writes `record` into `*out` (replacing its contents). With a header, missing trailing
  /// fields are null and extra fields are an error; without one, a record with k fields has
  /// the keys column_1..column_k. InvalidArgument (with the reason) for extra fields or bytes
  /// that are not valid UTF-8.
  Status Encode(const CsvRecordParser& record, std::string* out);

 private:
  void EnsureGenericColumns(size_t n);

  CsvJsonOptions options_;
  bool has_header_ = false;
  std::vector<std::string> columns_;
  std::vector<std::string> key_prefixes_;  // `"name":` per column, escaped once
};

}  // namespace rivven::formats
