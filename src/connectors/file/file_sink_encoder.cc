#include "connectors/file/file_sink_encoder.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "base/json_escape.h"
#include "formats/csv_writer.h"
#include "record/json.h"

namespace rivven::file {
namespace {

/// jsonl: each value's bytes plus "\n", copied without parsing (the fast path). A null value is
/// `null`; a value with a line break is compacted, or quoted when it is not JSON, so one record
/// stays one line.
class JsonlEncoder final : public RecordEncoder {
 public:
  Status Append(const ConsumedRecord& record, std::string& out) override {
    const std::optional<std::string>& value = record.record.value;
    if (!value) {
      out += "null\n";
    } else if (std::memchr(value->data(), '\n', value->size()) == nullptr) {
      out += *value;
      out.push_back('\n');
    } else {
      json::AppendJsonOrString(out, value);
      out.push_back('\n');
    }
    return Status::Ok();
  }
};

/// json: one array per file, one element per line: "[\n", then each value, the second and later
/// ones preceded by ",", then "]\n" when the file is complete. Every element is one line, so a
/// torn tail is cut like a jsonl one and the array closed. Values that are not JSON become JSON
/// strings; null is `null`.
class JsonArrayEncoder final : public RecordEncoder {
 public:
  Status Append(const ConsumedRecord& record, std::string& out) override {
    out += started_ ? "," : "[\n";
    started_ = true;
    json::AppendJsonOrString(out, record.record.value);
    out.push_back('\n');
    return Status::Ok();
  }
  void AppendTrailer(std::string& out) override {
    if (!started_) out += "[\n";
    out += kJsonArrayEnd;
  }

 private:
  bool started_ = false;
};

/// A RapidJSON input stream over a string_view (RapidJSON's own streams want a NUL terminator).
struct ViewStream {
  using Ch = char;
  const char* begin;
  const char* cur;
  const char* end;

  Ch Peek() const { return cur == end ? '\0' : *cur; }
  Ch Take() { return cur == end ? '\0' : *cur++; }
  size_t Tell() const { return static_cast<size_t>(cur - begin); }
  Ch* PutBegin() { return nullptr; }  // output half of the concept; unused without in-situ
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }
};

constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag |
                                 rapidjson::kParseNumbersAsStringsFlag;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// csv: the columns of a file are the keys of its first record's JSON object, written once as a
/// header. Each record's top-level members go to their columns: strings as their text, numbers
/// digit for digit, booleans as true/false, nested objects and arrays as compact JSON; a null or
/// missing member is an empty field, an empty string is `""`. A value that is not a JSON object,
/// or an object with keys the header lacks, is refused (the sink hands it to on_error).
class CsvEncoder final : public RecordEncoder {
 public:
  Status Append(const ConsumedRecord& record, std::string& out) override {
    const std::optional<std::string>& value = record.record.value;
    if (!value) return Status::InvalidArgument("value is null, not a JSON object");
    const bool learning = !header_written_;
    std::fill(present_.begin(), present_.end(), false);
    extra_.clear();
    next_ = 0;
    Handler h(*this, learning);
    ViewStream is{value->data(), value->data(), value->data() + value->size()};
    rapidjson::Reader reader;
    const rapidjson::ParseResult r = reader.Parse<kParseFlags>(is, h);
    Status st;
    if (h.not_object) {
      st = Status::InvalidArgument("value is not a JSON object (csv needs one per record)");
    } else if (!r) {
      st = Status::InvalidArgument(std::string("value is not JSON: ") +
                                   rapidjson::GetParseError_En(r.Code()) + " at byte " +
                                   std::to_string(r.Offset()));
    } else if (learning && columns_.empty()) {
      st = Status::InvalidArgument("value is an empty JSON object: no columns for the CSV header");
    } else if (!extra_.empty()) {
      st = Status::InvalidArgument(ExtraKeysReason());
    }
    if (!st.ok()) {
      if (learning) ForgetColumns();
      return st;
    }
    if (learning) {
      row_.assign(columns_.begin(), columns_.end());
      formats::AppendCsvRow(out, row_);
      header_written_ = true;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      row_[i] = present_[i] ? std::optional<std::string_view>(fields_[i]) : std::nullopt;
    }
    formats::AppendCsvRow(out, row_);
    return Status::Ok();
  }

 private:
  static constexpr size_t kExtraKeysNamed = 8;

  /// SAX events of one record. Depth 0 is outside the value, 1 inside the top-level object, 2+
  /// inside a nested value, which is copied as compact JSON into its column's field.
  struct Handler {
    Handler(CsvEncoder& e, bool l) : enc(e), learning(l) {}

    CsvEncoder& enc;
    bool learning;
    bool not_object = false;
    int depth = 0;
    long column = -1;  ///< the current member's column; -1 for a key the header lacks
    std::string* nested = nullptr;
    std::vector<uint32_t> counts;  ///< members/elements so far, per nested level
    bool after_key = false;

    bool Null() { return Scalar("null", false, true); }
    bool Bool(bool b) { return Scalar(b ? "true" : "false", false, false); }
    bool Int(int) { return false; }  // kParseNumbersAsStringsFlag: numbers come as RawNumber
    bool Uint(unsigned) { return false; }
    bool Int64(int64_t) { return false; }
    bool Uint64(uint64_t) { return false; }
    bool Double(double) { return false; }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
      return Scalar(std::string_view(s, n), false, false);
    }
    bool String(const char* s, rapidjson::SizeType n, bool) {
      return Scalar(std::string_view(s, n), true, false);
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
      const std::string_view key(s, n);
      if (depth == 1) {
        column = enc.ColumnOf(key, learning);
        return true;
      }
      if (counts.back()++ > 0) nested->push_back(',');
      AppendJsonString(*nested, key);
      nested->push_back(':');
      after_key = true;
      return true;
    }
    bool StartObject() { return Open('{'); }
    bool EndObject(rapidjson::SizeType) { return Close('}'); }
    bool StartArray() { return Open('['); }
    bool EndArray(rapidjson::SizeType) { return Close(']'); }

    bool Scalar(std::string_view text, bool is_string, bool is_null) {
      if (depth == 0) return Refuse();
      if (depth == 1) {
        if (column >= 0) enc.SetField(static_cast<size_t>(column), text, is_null);
        return true;
      }
      Separator();
      if (is_string) {
        AppendJsonString(*nested, text);
      } else {
        nested->append(text);
      }
      return true;
    }
    bool Open(char c) {
      if (depth == 0) {
        if (c != '{') return Refuse();
        depth = 1;
        return true;
      }
      if (depth == 1) {
        nested = column >= 0 ? &enc.StartField(static_cast<size_t>(column)) : &enc.discard_;
        nested->clear();
        counts.clear();
      } else {
        Separator();
      }
      nested->push_back(c);
      counts.push_back(0);
      ++depth;
      return true;
    }
    bool Close(char c) {
      if (depth > 1) {
        nested->push_back(c);
        counts.pop_back();
      }
      --depth;
      return true;
    }
    void Separator() {
      if (after_key) {
        after_key = false;
      } else if (counts.back()++ > 0) {
        nested->push_back(',');
      }
    }
    bool Refuse() {
      not_object = true;
      return false;
    }
  };

  /// The column of `key`; a new column while learning the header, -1 for a key it lacks.
  long ColumnOf(std::string_view key, bool learning) {
    // Records of one stream usually list their keys in the same order: try the next column first.
    if (next_ < columns_.size() && columns_[next_] == key) return static_cast<long>(next_++);
    if (auto it = index_.find(key); it != index_.end()) {
      next_ = it->second + 1;
      return static_cast<long>(it->second);
    }
    if (!learning) {
      if (std::find(extra_.begin(), extra_.end(), key) == extra_.end()) extra_.emplace_back(key);
      return -1;
    }
    columns_.emplace_back(key);
    index_.emplace(columns_.back(), columns_.size() - 1);
    fields_.emplace_back();
    present_.push_back(false);
    row_.emplace_back();
    next_ = columns_.size();
    return static_cast<long>(columns_.size() - 1);
  }

  void SetField(size_t column, std::string_view text, bool is_null) {
    present_[column] = !is_null;
    if (!is_null) fields_[column].assign(text);
  }

  std::string& StartField(size_t column) {
    present_[column] = true;
    return fields_[column];
  }

  void ForgetColumns() {
    columns_.clear();
    index_.clear();
    fields_.clear();
    present_.clear();
    row_.clear();
    next_ = 0;
  }

  std::string ExtraKeysReason() const {
    std::string reason =
        "keys not in this file's CSV header (its columns are the keys of the "
        "file's first record): ";
    for (size_t i = 0; i < extra_.size() && i < kExtraKeysNamed; ++i) {
      if (i > 0) reason += ", ";
      AppendJsonString(reason, extra_[i]);
    }
    if (extra_.size() > kExtraKeysNamed) {
      reason += " and " + std::to_string(extra_.size() - kExtraKeysNamed) + " more";
    }
    return reason;
  }

  bool header_written_ = false;
  std::vector<std::string> columns_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_;
  std::vector<std::string> fields_;  ///< per column: the current record's text
  std::vector<bool> present_;        ///< per column: the current record has a non-null value
  std::vector<std::optional<std::string_view>> row_;
  std::vector<std::string> extra_;  ///< keys of the current record the header lacks
  std::string discard_;             ///< nested values of keys the header lacks
  size_t next_ = 0;                 ///< the column the next key probably is
};

}  // namespace

std::unique_ptr<RecordEncoder> RecordEncoder::Create(FileFormat format) {
  switch (format) {
    case FileFormat::kJsonl:
      return std::make_unique<JsonlEncoder>();
    case FileFormat::kJson:
      return std::make_unique<JsonArrayEncoder>();
    case FileFormat::kCsv:
      return std::make_unique<CsvEncoder>();
  }
  return std::make_unique<JsonlEncoder>();
}

}  // namespace rivven::file
