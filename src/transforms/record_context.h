#pragma once

// Included only by transforms' .cc files: it brings in RapidJSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "record/record.h"

namespace rivven::transforms {

/// One record passing through a transform chain, with its key and value parsed at most once
/// into a shared JSON DOM and serialized back at most once (Commit), however many transforms
/// touch it. A record no transform looks into is never parsed (the fast path).
///
/// Owned by the chain for the duration of one record; single-threaded.
class RecordContext {
 public:
  /// `partition`/`offset` are -1 on the source side (the record is not stored yet).
  RecordContext(Record& record, std::string_view default_topic, int32_t partition = -1,
                int64_t offset = -1);

  Record& record() { return record_; }
  /// The record's topic: record().topic, or the source's topic when that is empty.
  std::string_view topic() const;
  void set_topic(std::string topic);
  int32_t partition() const { return partition_; }
  int64_t offset() const { return offset_; }

  /// The value as JSON, parsed on first use; nullptr when the value is null (a tombstone) or is
  /// not valid JSON (see value_error()). Changes must be followed by MarkValueChanged().
  rapidjson::Value* Value();
  rapidjson::Value* Key();
  /// Why the value (or key) could not be parsed, empty when it could.
  const std::string& value_error() const { return value_error_; }
  const std::string& key_error() const { return key_error_; }
  void MarkValueChanged() { value_changed_ = true; }
  void MarkKeyChanged() { key_changed_ = true; }
  /// Replaces the value with a new JSON DOM (moved from `v`, allocated with allocator()).
  void SetValue(rapidjson::Value&& v);
  void SetKey(rapidjson::Value&& v);
  /// Makes the value null (a tombstone) / the key null.
  void SetValueNull();
  void SetKeyNull();
  bool value_is_null() const;
  bool key_is_null() const;
  /// Allocator for every value put into Value()/Key().
  rapidjson::MemoryPoolAllocator<>& allocator() { return doc_.GetAllocator(); }

  /// A header's value (the last one with that key), or nullopt.
  std::optional<std::string_view> Header(std::string_view key) const;

  /// Serializes changed DOMs back into record().key/value. Called once by the chain.
  void Commit();
  /// After Commit(), when record() was rewritten as bytes (a native plugin transform): drops
  /// the parsed key and value so later transforms read the new bytes.
  void Reload();

 private:
  Record& record_;
  std::string_view default_topic_;
  int32_t partition_;
  int64_t offset_;
  rapidjson::Document doc_;  ///< owns the allocator; holds the value
  rapidjson::Value key_;
  bool value_parsed_ = false, key_parsed_ = false;
  bool value_changed_ = false, key_changed_ = false;
  bool value_null_ = false, key_null_ = false;
  std::string value_error_, key_error_;
};

}  // namespace rivven::transforms
