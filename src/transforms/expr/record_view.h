#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/fwd.h>

namespace rivven::transforms::expr {

/// What an expression can read of a record. The evaluator asks only for what the expression
/// uses, when it gets there, so `topic == "a" && value.x > 1` never parses the value of a
/// record on another topic. Expression::Test(RecordContext&) adapts a RecordContext; tests,
/// the fuzz target and callers holding a bare DOM use FixedRecordView.
///
/// Used by one thread for the duration of one evaluation.
class RecordView {
 public:
  virtual ~RecordView() = default;
  /// The value as JSON; nullptr when it is null (a tombstone) or not JSON.
  virtual const rapidjson::Value* Value() = 0;
  virtual const rapidjson::Value* Key() = 0;
  /// The last header with that key.
  virtual std::optional<std::string_view> Header(std::string_view name) = 0;
  virtual std::string_view Topic() = 0;
  /// -1 while the record is not stored yet (source side).
  virtual int64_t Partition() = 0;
  virtual int64_t Offset() = 0;
  virtual int64_t TimestampMs() = 0;
};

/// A RecordView over parts the caller owns and keeps alive while evaluating.
class FixedRecordView : public RecordView {
 public:
  const rapidjson::Value* Value() override { return value; }
  const rapidjson::Value* Key() override { return key; }
  std::optional<std::string_view> Header(std::string_view name) override {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return std::nullopt;
  }
  std::string_view Topic() override { return topic; }
  int64_t Partition() override { return partition; }
  int64_t Offset() override { return offset; }
  int64_t TimestampMs() override { return timestamp_ms; }

  const rapidjson::Value* value = nullptr;
  const rapidjson::Value* key = nullptr;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view topic;
  int64_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = 0;
};

}  // namespace rivven::transforms::expr
