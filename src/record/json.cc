#include "record/json.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "base/append_in_place.h"
#include "base/json_escape.h"

namespace rivven::json {
namespace {

/// A RapidJSON input stream over a string_view (RapidJSON's own streams want a NUL terminator).
struct ViewStream {
  using Ch = char;
  const char* begin;
  const char* cur;
  const char* end;

  Ch Peek() const { return cur == end ? '\0' : *cur; }
  Ch Take() { return cur == end ? '\0' : *cur++; }
  size_t Tell() const { return static_cast<size_t>(cur - begin); }
  // Output half of the stream concept; only used by in-situ parsing, which we never do.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }
};

// Iterative: deep nesting cannot overflow the stack. Numbers as strings: they are copied digit
// for digit instead of being converted (and possibly rounded) through a double.
constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag |
                                 rapidjson::kParseNumbersAsStringsFlag;

/// Writes SAX events back out as JSON text, compact (indent 0) or pretty.
class Emitter {
 public:
  Emitter(std::string& out, int indent) : out_(out), indent_(indent) {}

  bool Null() { return Literal("null"); }
  bool Bool(bool b) { return Literal(b ? "true" : "false"); }
  // With kParseNumbersAsStringsFlag every number arrives through RawNumber; these exist only
  // because the handler concept requires them.
  bool Int(int v) { return Integer(v); }
  bool Uint(unsigned v) { return Integer(v); }
  bool Int64(int64_t v) { return Integer(v); }
  bool Uint64(uint64_t v) { return Integer(v); }
  bool Double(double v) {
    Prefix();
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out_.append(buf, r.ptr);
    return true;
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    Prefix();
    out_.append(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    Prefix();
    AppendJsonString(out_, std::string_view(s, n));
    return true;
  }
  bool StartObject() { return Open('{', true); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (stack_.back().count++ > 0) out_.push_back(',');
    NewLine(stack_.size());
    AppendJsonString(out_, std::string_view(s, n));
    out_ += indent_ > 0 ? ": " : ":";
    after_key_ = true;
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Close('}'); }
  bool StartArray() { return Open('[', false); }
  bool EndArray(rapidjson::SizeType) { return Close(']'); }

 private:
  struct Frame {
    bool object;
    size_t count;
  };

  template <typename T>
  bool Integer(T v) {
    Prefix();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out_.append(buf, r.ptr);
    return true;
  }
  bool Literal(const char* s) {
    Prefix();
    out_ += s;
    return true;
  }
  bool Open(char c, bool object) {
    Prefix();
    out_.push_back(c);
    stack_.push_back({object, 0});
    return true;
  }
  bool Close(char c) {
    const bool had_members = stack_.back().count > 0;
    stack_.pop_back();
    if (had_members) NewLine(stack_.size());
    out_.push_back(c);
    return true;
  }
  // Separator and indentation before a value (an object member's value follows its key).
  void Prefix() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (stack_.empty()) return;
    if (stack_.back().count++ > 0) out_.push_back(',');
    NewLine(stack_.size());
  }
  void NewLine(size_t depth) {
    if (indent_ <= 0) return;
    out_.push_back('\n');
    out_.append(depth * static_cast<size_t>(indent_), ' ');
  }

  std::string& out_;
  int indent_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

template <typename Handler>
Status Parse(std::string_view text, Handler& handler) {
  ViewStream is{text.data(), text.data(), text.data() + text.size()};
  rapidjson::Reader reader;
  rapidjson::ParseResult r = reader.Parse<kParseFlags>(is, handler);
  if (!r) {
    return Status::InvalidArgument(std::string("invalid JSON at byte ") +
                                   std::to_string(r.Offset()) + ": " +
                                   rapidjson::GetParseError_En(r.Code()));
  }
  // RapidJSON stops at a NUL byte as if it were the end of the text.
  if (is.Tell() != text.size()) {
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(is.Tell()) +
                                   ": unexpected NUL byte");
  }
  return Status::Ok();
}

Result<std::string> Reformat(std::string_view text, int indent) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  Emitter emitter(out, indent);
  RC_RETURN_IF_ERROR(Parse(text, emitter));
  return out;
}

void Append2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

bool IsJson(std::string_view text) {
  // simdjson validates several times faster than a RapidJSON pass; it also rejects a few valid
  // documents (integers beyond 64 bits), which then go through RapidJSON.
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  if (parser.parse(padded.data(), text.size(), false).error() == simdjson::SUCCESS) return true;
  rapidjson::BaseReaderHandler<rapidjson::UTF8<>> handler;
  return Parse(text, handler).ok();
}

Result<std::string> PrettyJson(std::string_view text, int indent) {
  return Reformat(text, indent < 1 ? 1 : indent);
}

Result<std::string> CompactJson(std::string_view text) { return Reformat(text, 0); }

void AppendJsonOrString(std::string& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    out += "null";
    return;
  }
  const std::string& b = *bytes;
  // Two memchr scans: find_first_of with a set calls memchr once per byte of the text.
  const bool multi_line = std::memchr(b.data(), '\n', b.size()) != nullptr ||
                          std::memchr(b.data(), '\r', b.size()) != nullptr;
  if (!multi_line) {
    if (IsJson(b)) {
      out += b;
      return;
    }
  } else if (auto compact = CompactJson(b); compact.ok()) {
    out += *compact;
    return;
  }
  AppendJsonString(out, b);
}

void AppendInt(std::string& out, int64_t v) {
  AppendInPlace(out, 20, [v](char* p) { return std::to_chars(p, p + 20, v).ptr; });
}

void AppendFixed2(std::string& out, int64_t hundredths) {
  uint64_t magnitude = static_cast<uint64_t>(hundredths);
  if (hundredths < 0) {
    out.push_back('-');
    magnitude = ~magnitude + 1;  // two's complement negation, safe for INT64_MIN
  }
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), magnitude / 100);
  out.append(buf, r.ptr);
  out.push_back('.');
  Append2(out, static_cast<unsigned>(magnitude % 100));
}

void AppendIsoTimestamp(std::string& out, TimestampMs ms) {
  // Floor division so instants before 1970 land on the right day.
  int64_t days = ms / 86'400'000;
  int64_t ms_of_day = ms % 86'400'000;
  if (ms_of_day < 0) {
    ms_of_day += 86'400'000;
    --days;
  }
  // civil_from_days (H. Hinnant, "chrono-compatible low-level date algorithms").
  const int64_t z = days + 719'468;
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const auto doe = static_cast<unsigned>(z - era * 146'097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);

  const auto y = static_cast<unsigned>(year < 0 ? 0 : (year > 9999 ? 9999 : year));
  const auto msd = static_cast<unsigned>(ms_of_day);
  out.push_back('"');
  Append2(out, y / 100);
  Append2(out, y % 100);
  out.push_back('-');
  Append2(out, month);
  out.push_back('-');
  Append2(out, day);
  out.push_back('T');
  Append2(out, msd / 3'600'000);
  out.push_back(':');
  Append2(out, msd / 60'000 % 60);
  out.push_back(':');
  Append2(out, msd / 1000 % 60);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + msd % 1000 / 100));
  Append2(out, msd % 100);
  out += "Z\"";
}

}  // namespace rivven::json
