#pragma once

// Included only by transforms' .cc files: it brings in RapidJSON.
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "base/status.h"

namespace rivven::transforms {

class RecordContext;

/// A dotted path to a field nested in JSON objects ("customer.address.city"), split once when a
/// transform is configured and then used for every record. A backslash escapes a dot or a
/// backslash inside a name ("a\.b" is the one field "a.b"). Paths walk objects only: a segment
/// never indexes into an array.
///
/// Immutable after construction; cheap to read from any thread.
class JsonPath {
 public:
  JsonPath() = default;
  explicit JsonPath(std::string_view dotted);

  /// The path as written in the config.
  const std::string& text() const { return text_; }
  const std::vector<std::string>& segments() const { return segments_; }
  size_t size() const { return segments_.size(); }
  bool empty() const { return segments_.empty(); }
  /// The last segment: the field's own name.
  const std::string& leaf() const { return segments_.back(); }
  /// Why the text is not a usable path ("empty segment in 'a..b'"), or empty when it is.
  /// Config code reports it; the accessors below treat an invalid path as matching nothing.
  const std::string& error() const { return error_; }

 private:
  std::string text_;
  std::vector<std::string> segments_;
  std::string error_;
};

using JsonAllocator = rapidjson::MemoryPoolAllocator<>;

/// The member of `object` named `name`, or nullptr (also when `object` is not an object).
/// Linear in the member count, without allocating.
rapidjson::Value* FindMember(rapidjson::Value& object, std::string_view name);
const rapidjson::Value* FindMember(const rapidjson::Value& object, std::string_view name);

/// The value at `path` under `root`, or nullptr when a segment is missing or a parent on the
/// way is not an object. A field that exists with a JSON null is returned (IsNull()).
rapidjson::Value* GetPath(rapidjson::Value& root, const JsonPath& path);
const rapidjson::Value* GetPath(const rapidjson::Value& root, const JsonPath& path);

/// The object that holds the field at `path` (the root for a one-segment path), or nullptr.
rapidjson::Value* GetParent(rapidjson::Value& root, const JsonPath& path);

/// Puts `value` (moved; allocated with `alloc`) at `path`: an existing field is replaced in
/// place (keeping its position), a new one is appended to its parent, and missing parents are
/// created as empty objects. False (and `value` untouched) when `root` or a parent on the way
/// exists but is not an object. Names of new members are copied into `alloc`.
bool SetPath(rapidjson::Value& root, const JsonPath& path, rapidjson::Value& value,
             JsonAllocator& alloc);

/// Removes the field at `path`, keeping the order of the remaining members. False when there
/// was nothing to remove.
bool RemovePath(rapidjson::Value& root, const JsonPath& path);

/// Removes the field at `path` and moves its value into `out` (which is left alone when the
/// field is missing). False when there was nothing to take.
bool TakePath(rapidjson::Value& root, const JsonPath& path, rapidjson::Value* out);

/// Renames a member of `object` in place (same position, same value). False when `from` is not a
/// member. A member already named `to` is removed first, so names stay unique.
bool RenameMember(rapidjson::Value& object, std::string_view from, std::string_view to,
                  JsonAllocator& alloc);

/// The record's value for a transform that edits its fields: the JSON object, or nullptr for a
/// tombstone or a JSON null (nothing to edit; such records pass through). An InvalidArgument
/// error when the value is not valid JSON, or is JSON but not an object (the message says which;
/// the chain prefixes the transform's name). The caller marks the value changed if it edits it.
Result<rapidjson::Value*> ValueObject(RecordContext& record);

/// "an array", "a string", ...: how errors name a JSON value's type.
const char* JsonTypeName(const rapidjson::Value& v);

/// A string view of a JSON string value (no copy).
inline std::string_view StringView(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

}  // namespace rivven::transforms
