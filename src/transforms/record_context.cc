#include "transforms/record_context.h"

#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include <rapidjson/error/en.h>

#include "transforms/json_writer.h"
#include "transforms/parse_stack_allocator.h"
#include "transforms/record_arena.h"

namespace rivven::transforms {
namespace {

// Full precision: a decimal that no transform touches must serialize back to the same double
// (Grisu shortest round-trip), so parsing has to round correctly. Integers stay int64/uint64.
// The encoding is validated: masking counts UTF-8 characters and the writer must not emit broken
// sequences.
constexpr unsigned kFastParseFlags =
    rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;
// The general parser is iterative, so deeply nested input cannot overflow the stack.
constexpr unsigned kSafeParseFlags = kFastParseFlags | rapidjson::kParseIterativeFlag;
// The recursive parser is faster but uses the stack for each level of nesting. Text this short
// cannot open more levels than it has bytes, which fits in a small thread stack (a test parses
// the deepest such text on 512 KB).
constexpr size_t kRecursiveParseMaxBytes = 2048;

std::string ParseErrorText(const char* what, rapidjson::ParseErrorCode code, size_t offset) {
  return std::string(what) + " is not valid JSON: " + rapidjson::GetParseError_En(code) +
         " (at byte " + std::to_string(offset) + ")";
}

// Serializes `v` into `out`, reusing out's capacity. Through a per-thread buffer rather than
// straight into `out`: a transform may have put a string into the DOM that refers to out's bytes.
void Serialize(const rapidjson::Value& v, std::optional<std::string>& out) {
  thread_local std::string buffer;
  buffer.clear();
  AppendJson(v, buffer);
  if (out) {
    out->assign(buffer);
  } else {
    out.emplace(buffer);
  }
}

// The arena's parser: its working stacks come from a per-thread cache instead of malloc.
using ParsingDocument =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                               ParseStackAllocator>;

// Parses the NUL-terminated `copy` of `text` in situ with `parser` and moves the result into
// `out`. Returns the error text, empty on success.
template <typename Parser>
std::string ParseWith(Parser& parser, const char* what, const std::string& text, char* copy,
                      rapidjson::Value* out) {
  if (text.size() < kRecursiveParseMaxBytes) {
    parser.template ParseInsitu<kFastParseFlags>(copy);
  } else {
    parser.template ParseInsitu<kSafeParseFlags>(copy);
  }
  if (parser.HasParseError()) {
    return ParseErrorText(what, parser.GetParseError(), parser.GetErrorOffset());
  }
  out->Swap(parser);
  parser.SetNull();
  return {};
}

// The memory a RecordArenaScope lends: a pool whose first block is reused record after record
// (Clear() keeps it and frees only overflow chunks) and a parser whose stack is kept too.
struct Arena {
  static constexpr size_t kBlockBytes = 64 * 1024;
  std::unique_ptr<char[]> block = std::make_unique<char[]>(kBlockBytes);
  rapidjson::MemoryPoolAllocator<> pool{block.get(), kBlockBytes};
  ParsingDocument parser{&pool};
  bool active = false;   // a scope is open
  bool claimed = false;  // a context of that scope uses the arena
};

Arena& ThisThreadArena() {
  thread_local Arena arena;
  return arena;
}

// The allocator for a context being constructed: the arena's when a scope lends it, else null
// (the Document then creates its own).
rapidjson::MemoryPoolAllocator<>* ClaimArena() {
  Arena& arena = ThisThreadArena();
  if (!arena.active || arena.claimed) return nullptr;
  arena.claimed = true;
  return &arena.pool;
}

// Parses `text` into `out` (allocated with `alloc`), through the arena's parser when `alloc` is
// the arena's pool (no stack allocation), else through a one-off Document. Returns the error
// text, empty on success.
std::string ParseInto(const char* what, const std::string& text,
                      rapidjson::MemoryPoolAllocator<>& alloc, rapidjson::Value* out) {
  // JSON text never holds a raw NUL byte (not even inside a string), and RapidJSON would take
  // one for the end of the input and accept whatever precedes it.
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    return std::string(what) + " is not valid JSON: a NUL byte (at byte " +
           std::to_string(static_cast<const char*>(nul) - text.data()) + ")";
  }
  // In situ over a copy in the pool: strings stay where they are in the copy instead of each
  // being allocated and copied, which makes parsing markedly faster. The copy lives as long as
  // the DOM.
  char* copy = static_cast<char*>(alloc.Malloc(text.size() + 1));
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  Arena& arena = ThisThreadArena();
  if (&alloc == &arena.pool) return ParseWith(arena.parser, what, text, copy, out);
  rapidjson::Document one_off(&alloc);
  return ParseWith(one_off, what, text, copy, out);
}

}  // namespace

RecordArenaScope::RecordArenaScope() {
  Arena& arena = ThisThreadArena();
  if (arena.active) return;
  arena.pool.Clear();
  arena.active = true;
  arena.claimed = false;
  owner_ = true;
}

RecordArenaScope::~RecordArenaScope() {
  if (!owner_) return;
  Arena& arena = ThisThreadArena();
  arena.active = false;
  arena.claimed = false;
}

RecordContext::RecordContext(Record& record, std::string_view default_topic, int32_t partition,
                             int64_t offset)
    : record_(record),
      default_topic_(default_topic),
      partition_(partition),
      offset_(offset),
      doc_(ClaimArena()) {}

std::string_view RecordContext::topic() const {
  return record_.topic.empty() ? default_topic_ : std::string_view(record_.topic);
}

void RecordContext::set_topic(std::string topic) { record_.topic = std::move(topic); }

rapidjson::Value* RecordContext::Value() {
  if (!value_parsed_) {
    value_parsed_ = true;
    if (!record_.value) {
      value_null_ = true;
    } else {
      value_error_ = ParseInto("value", *record_.value, doc_.GetAllocator(), &doc_);
    }
  }
  if (value_null_ || !value_error_.empty()) return nullptr;
  return &doc_;
}

rapidjson::Value* RecordContext::Key() {
  if (!key_parsed_) {
    key_parsed_ = true;
    if (!record_.key) {
      key_null_ = true;
    } else {
      // With the value's allocator, so members can move between key and value.
      key_error_ = ParseInto("key", *record_.key, doc_.GetAllocator(), &key_);
    }
  }
  if (key_null_ || !key_error_.empty()) return nullptr;
  return &key_;
}

void RecordContext::SetValue(rapidjson::Value&& v) {
  // Through a temporary: `v` may be a member of the current value (unwrapping `after`).
  rapidjson::Value moved(std::move(v));
  static_cast<rapidjson::Value&>(doc_).Swap(moved);
  value_parsed_ = true;
  value_null_ = false;
  value_changed_ = true;
  value_error_.clear();
}

void RecordContext::SetKey(rapidjson::Value&& v) {
  rapidjson::Value moved(std::move(v));
  key_.Swap(moved);
  key_parsed_ = true;
  key_null_ = false;
  key_changed_ = true;
  key_error_.clear();
}

void RecordContext::SetValueNull() {
  doc_.SetNull();
  value_parsed_ = true;
  value_null_ = true;
  value_changed_ = true;
  value_error_.clear();
}

void RecordContext::SetKeyNull() {
  key_.SetNull();
  key_parsed_ = true;
  key_null_ = true;
  key_changed_ = true;
  key_error_.clear();
}

bool RecordContext::value_is_null() const {
  return value_parsed_ ? value_null_ : !record_.value.has_value();
}

bool RecordContext::key_is_null() const {
  return key_parsed_ ? key_null_ : !record_.key.has_value();
}

std::optional<std::string_view> RecordContext::Header(std::string_view key) const {
  for (auto it = record_.headers.rbegin(); it != record_.headers.rend(); ++it) {
    if (it->key == key) return std::string_view(it->value);
  }
  return std::nullopt;
}

void RecordContext::Commit() {
  if (value_changed_) {
    value_changed_ = false;
    if (value_null_) {
      record_.value.reset();
    } else {
      Serialize(doc_, record_.value);
    }
  }
  if (key_changed_) {
    key_changed_ = false;
    if (key_null_) {
      record_.key.reset();
    } else {
      Serialize(key_, record_.key);
    }
  }
}

void RecordContext::Reload() {
  value_parsed_ = key_parsed_ = false;
  value_changed_ = key_changed_ = false;
  value_null_ = key_null_ = false;
  value_error_.clear();
  key_error_.clear();
  doc_.SetNull();
  key_.SetNull();
}

}  // namespace rivven::transforms
