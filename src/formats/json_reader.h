#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::formats {

/// Readable bytes a caller of JsonCompactor::CompactPadded guarantees after the text (any
/// content): the SIMD parser reads whole 64-byte blocks.
inline constexpr size_t kJsonPadding = 64;

/// Validates that a text is exactly one JSON value (RFC 8259: any value at the top level, valid
/// UTF-8, nothing after it) and writes its compact form (insignificant whitespace removed,
/// everything else byte for byte: numbers keep their digits, strings their escapes).
///
/// Validation runs on simdjson (several GB/s); a text it rejects is checked again with RapidJSON,
/// which accepts the valid JSON simdjson cannot represent (integers beyond 64 bits) and words
/// the error with its byte offset. As in record/json.h, a number beyond a double's range (1e400)
/// is rejected, a limit RFC 8259 §9 permits. Holds one reusable parser: not thread-safe, one
/// instance per reader.
class JsonCompactor {
 public:
  JsonCompactor();
  ~JsonCompactor();
  JsonCompactor(const JsonCompactor&) = delete;
  JsonCompactor& operator=(const JsonCompactor&) = delete;

  /// Replaces `*out` with the compact form of `text`. `text` must be followed by kJsonPadding
  /// readable bytes. InvalidArgument with the reason when `text` is not one JSON value.
  Status CompactPadded(std::string_view text, std::string* out);
  /// The same for a text without padding (copied into a padded buffer first).
  Status Compact(std::string_view text, std::string* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// How a JSON file holds its records.
enum class JsonLayout {
  kUndecided,  ///< nothing but whitespace yet (or the first line of a '[' file is incomplete)
  kLines,      ///< JSON Lines: one value per line
  kArray,      ///< one top-level array whose elements are the records
};

/// Decides the layout from the first bytes of a file (after any BOM). A file whose first
/// non-whitespace byte is '[' is an array, unless its first line is a complete JSON array
/// followed by more lines (JSON Lines whose values are arrays). `at_eof`: `head` is the whole
/// file. kUndecided when more bytes are needed; callers that cannot get more (a full buffer)
/// treat a '[' file as kArray.
JsonLayout DetectJsonLayout(std::string_view head, bool at_eof);

/// Finds the elements of one top-level JSON array in a byte stream without parsing them, so an
/// array of any size streams in constant memory (elements are validated separately, by
/// JsonCompactor). No I/O: the caller passes the unconsumed bytes and calls again with more
/// after kNeedMore. Not thread-safe.
class JsonArraySplitter {
 public:
  enum class Outcome {
    kElement,   ///< [element_begin, element_end) is one element (not yet validated)
    kNeedMore,  ///< the next element or separator continues past the data (only when !at_eof)
    kEnd,       ///< the array is closed and only whitespace follows (at_eof), or no more yet
    kError,     ///< malformed structure; `error` says why; parsing continues after `consumed`
  };
  struct Step {
    Outcome outcome = Outcome::kNeedMore;
    size_t element_begin = 0;
    size_t element_end = 0;
    size_t consumed = 0;  ///< bytes of `data` this step used up (whitespace, separators, element)
    std::string error;
  };

  /// `after_element`: resume just after an element (at a checkpoint), else before the '['.
  explicit JsonArraySplitter(bool after_element = false)
      : state_(after_element ? State::kAfterElement : State::kBeforeOpen) {}

  /// The next step for `data` (the bytes not yet consumed). `at_eof`: nothing follows `data`.
  Step Next(std::string_view data, bool at_eof);
  /// True once the closing ']' was consumed.
  bool closed() const { return state_ == State::kClosed; }
  /// True when the last kElement/kEnd left the splitter just after an element (resumable).
  bool after_element() const { return state_ == State::kAfterElement; }

 private:
  enum class State { kBeforeOpen, kOpen, kAfterElement, kNeedElement, kClosed };
  State state_;
};

/// Length of the JSON value at the start of `data` (a container up to its matching bracket, a
/// string up to its closing quote, a scalar up to the next delimiter or whitespace), or 0 when
/// it does not end inside `data`. Brackets and quotes are matched, nothing else is validated.
size_t ScanJsonValue(std::string_view data, bool at_eof);

/// True when `bytes` is valid UTF-8 (SIMD-accelerated).
bool IsValidUtf8(std::string_view bytes);

}  // namespace rivven::formats
