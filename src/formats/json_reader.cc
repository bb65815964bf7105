#include "formats/json_reader.h"

#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <simdjson.h>

namespace rivven::formats {
namespace {

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A byte that ends a scalar (number, true, false, null) at the top level of an array.
bool EndsScalar(char c) { return c == ',' || c == ']' || c == '}' || IsWhitespace(c); }

// Index just past the closing quote of the string whose opening quote is at data[i], or 0.
size_t SkipString(std::string_view data, size_t i) {
  const size_t n = data.size();
  ++i;
  while (i < n) {
    const char* q = static_cast<const char*>(std::memchr(data.data() + i, '"', n - i));
    if (q == nullptr) return 0;
    size_t pos = static_cast<size_t>(q - data.data());
    // The quote is escaped when an odd number of backslashes precede it.
    size_t backslashes = 0;
    while (pos - backslashes > i && data[pos - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return pos + 1;
    i = pos + 1;
  }
  return 0;
}

// RapidJSON's verdict, for texts simdjson rejected: it accepts numbers of any size (kept as
// text) and explains errors with a byte offset.
Status RapidJsonCheck(std::string_view text) {
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseIterativeFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::BaseReaderHandler<> handler;
  rapidjson::Reader reader;
  const rapidjson::ParseResult r = reader.Parse<kFlags>(ms, handler);
  if (!r) {
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(r.Offset()) + ": " +
                                   rapidjson::GetParseError_En(r.Code()));
  }
  if (ms.Tell() != text.size()) {  // RapidJSON takes a NUL byte for the end of the text
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(ms.Tell()) +
                                   ": unexpected NUL byte");
  }
  return Status::Ok();
}

}  // namespace

struct JsonCompactor::Impl {
  simdjson::dom::parser parser;
  std::string padded;  // Compact() copies its text here
};

JsonCompactor::JsonCompactor() : impl_(std::make_unique<Impl>()) {}
JsonCompactor::~JsonCompactor() = default;

Status JsonCompactor::CompactPadded(std::string_view text, std::string* out) {
  const simdjson::error_code err = impl_->parser.parse(text.data(), text.size(), false).error();
  if (err != simdjson::SUCCESS) {
    Status s = RapidJsonCheck(text);
    if (!s.ok()) return s;
  }
  out->resize(text.size());
  size_t written = 0;
  if (simdjson::minify(text.data(), text.size(), out->data(), written) != simdjson::SUCCESS) {
    return Status::InvalidArgument("invalid JSON: unterminated string");
  }
  out->resize(written);
  return Status::Ok();
}

Status JsonCompactor::Compact(std::string_view text, std::string* out) {
  std::string& padded = impl_->padded;
  padded.assign(text);
  padded.append(kJsonPadding, ' ');
  return CompactPadded(std::string_view(padded.data(), text.size()), out);
}

size_t ScanJsonValue(std::string_view data, bool at_eof) {
  const size_t n = data.size();
  if (n == 0) return 0;
  const char first = data[0];
  if (first == '"') return SkipString(data, 0);
  if (first != '{' && first != '[') {
    for (size_t i = 1; i < n; ++i) {
      if (EndsScalar(data[i])) return i;
    }
    return at_eof ? n : 0;
  }
  size_t depth = 0;
  for (size_t i = 0; i < n; ++i) {
    switch (data[i]) {
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (--depth == 0) return i + 1;
        break;
      case '"': {
        const size_t end = SkipString(data, i);
        if (end == 0) return 0;
        i = end - 1;
        break;
      }
      default:
        break;
    }
  }
  return 0;
}

JsonLayout DetectJsonLayout(std::string_view head, bool at_eof) {
  size_t i = 0;
  while (i < head.size() && IsWhitespace(head[i])) ++i;
  if (i == head.size()) return at_eof ? JsonLayout::kLines : JsonLayout::kUndecided;
  if (head[i] != '[') return JsonLayout::kLines;
  const char* nl = static_cast<const char*>(std::memchr(head.data() + i, '\n', head.size() - i));
  if (nl == nullptr) return at_eof ? JsonLayout::kArray : JsonLayout::kUndecided;
  const std::string_view first_line = head.substr(i, static_cast<size_t>(nl - head.data()) - i);
  const size_t value = ScanJsonValue(first_line, false);
  if (value == 0) return JsonLayout::kArray;  // the array continues on the next lines
  for (size_t k = value; k < first_line.size(); ++k) {
    if (!IsWhitespace(first_line[k])) return JsonLayout::kArray;  // "[1]," or similar
  }
  // A complete array on the first line: JSON Lines if another value follows on a later line.
  for (const char* p = nl + 1; p < head.data() + head.size(); ++p) {
    if (!IsWhitespace(*p)) return JsonLayout::kLines;
  }
  return JsonLayout::kArray;
}

JsonArraySplitter::Step JsonArraySplitter::Next(std::string_view data, bool at_eof) {
  Step s;
  const size_t n = data.size();
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < n && IsWhitespace(data[i])) ++i;
  };
  auto error = [&](std::string why, size_t raw_begin, size_t raw_end, size_t consumed) {
    s.outcome = Outcome::kError;
    s.error = std::move(why);
    s.element_begin = raw_begin;
    s.element_end = raw_end;
    s.consumed = consumed;
    return s;
  };
  auto need_more_or_unterminated = [&] {
    if (at_eof) {
      state_ = State::kClosed;
      return error("unterminated JSON array (missing ']')", i, i, i);
    }
    s.outcome = Outcome::kNeedMore;
    s.consumed = i;
    return s;
  };

  while (true) {
    skip_ws();
    switch (state_) {
      case State::kBeforeOpen:
        if (i == n) return need_more_or_unterminated();
        if (data[i] != '[') {
          state_ = State::kClosed;
          return error("a JSON array must start with '['", i, n, n);
        }
        ++i;
        state_ = State::kOpen;
        continue;
      case State::kOpen:
      case State::kNeedElement:
        if (i == n) return need_more_or_unterminated();
        if (data[i] == ']') {
          const bool trailing_comma = state_ == State::kNeedElement;
          ++i;
          state_ = State::kClosed;
          if (trailing_comma) return error("trailing ',' before ']'", i - 1, i, i);
          continue;
        }
        break;  // an element starts at i
      case State::kAfterElement:
        if (i == n) return need_more_or_unterminated();
        if (data[i] == ',') {
          ++i;
          state_ = State::kNeedElement;
          continue;
        }
        if (data[i] == ']') {
          ++i;
          state_ = State::kClosed;
          continue;
        }
        state_ = State::kNeedElement;  // parse what follows as the next element
        return error("expected ',' or ']' after an array element", i, i, i);
      case State::kClosed:
        if (i == n) {
          s.outcome = Outcome::kEnd;
          s.consumed = i;
          return s;
        }
        return error("unexpected data after the closing ']' of the JSON array", i, n, n);
    }

    const size_t len = ScanJsonValue(data.substr(i), at_eof);
    if (len == 0) {
      if (!at_eof) {
        s.outcome = Outcome::kNeedMore;
        s.consumed = i;
        return s;
      }
      state_ = State::kClosed;
      return error("unterminated JSON value at the end of the file", i, n, n);
    }
    s.outcome = Outcome::kElement;
    s.element_begin = i;
    s.element_end = i + len;
    s.consumed = i + len;
    state_ = State::kAfterElement;
    return s;
  }
}

bool IsValidUtf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

}  // namespace rivven::formats
