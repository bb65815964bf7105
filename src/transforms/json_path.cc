#include "transforms/json_path.h"

#include <cstring>

#include "transforms/record_context.h"

namespace rivven::transforms {

JsonPath::JsonPath(std::string_view dotted) : text_(dotted) {
  std::string segment;
  bool escaped = false;
  for (char c : dotted) {
    if (escaped) {
      segment.push_back(c);
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '.') {
      segments_.push_back(std::move(segment));
      segment.clear();
    } else {
      segment.push_back(c);
    }
  }
  if (escaped) segment.push_back('\\');
  segments_.push_back(std::move(segment));
  if (dotted.empty()) {
    error_ = "empty field path";
  } else {
    for (const std::string& s : segments_) {
      if (s.empty()) {
        error_ = "empty field name in path '" + text_ + "'";
        break;
      }
    }
  }
  if (!error_.empty()) segments_.clear();
}

namespace {

template <typename V>
V* FindIn(V& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const auto& key = it->name;
    if (key.GetStringLength() == name.size() &&
        std::memcmp(key.GetString(), name.data(), name.size()) == 0) {
      return &it->value;
    }
  }
  return nullptr;
}

template <typename V>
V* Walk(V& root, const JsonPath& path, size_t depth) {
  V* cur = &root;
  for (size_t i = 0; i < depth && cur != nullptr; ++i) cur = FindIn(*cur, path.segments()[i]);
  return cur;
}

rapidjson::Value::MemberIterator FindIterator(rapidjson::Value& object, std::string_view name) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (StringView(it->name) == name) return it;
  }
  return object.MemberEnd();
}

}  // namespace

rapidjson::Value* FindMember(rapidjson::Value& object, std::string_view name) {
  return FindIn(object, name);
}

const rapidjson::Value* FindMember(const rapidjson::Value& object, std::string_view name) {
  return FindIn(object, name);
}

rapidjson::Value* GetPath(rapidjson::Value& root, const JsonPath& path) {
  if (path.empty()) return nullptr;
  return Walk(root, path, path.size());
}

const rapidjson::Value* GetPath(const rapidjson::Value& root, const JsonPath& path) {
  if (path.empty()) return nullptr;
  return Walk(root, path, path.size());
}

rapidjson::Value* GetParent(rapidjson::Value& root, const JsonPath& path) {
  if (path.empty()) return nullptr;
  rapidjson::Value* parent = Walk(root, path, path.size() - 1);
  return parent != nullptr && parent->IsObject() ? parent : nullptr;
}

bool SetPath(rapidjson::Value& root, const JsonPath& path, rapidjson::Value& value,
             JsonAllocator& alloc) {
  if (path.empty() || !root.IsObject()) return false;
  // Check the whole way first, so a failure leaves the document as it was.
  rapidjson::Value* cur = &root;
  size_t existing = 0;
  for (; existing + 1 < path.size(); ++existing) {
    rapidjson::Value* next = FindIn(*cur, path.segments()[existing]);
    if (next == nullptr) break;
    if (!next->IsObject()) return false;
    cur = next;
  }
  for (size_t i = existing; i + 1 < path.size(); ++i) {
    const std::string& name = path.segments()[i];
    rapidjson::Value key(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc);
    rapidjson::Value child(rapidjson::kObjectType);
    cur->AddMember(key, child, alloc);
    cur = &(cur->MemberEnd() - 1)->value;
  }
  const std::string& leaf = path.leaf();
  if (rapidjson::Value* slot = FindIn(*cur, leaf)) {
    *slot = value;  // RapidJSON assignment moves
    return true;
  }
  rapidjson::Value key(leaf.data(), static_cast<rapidjson::SizeType>(leaf.size()), alloc);
  cur->AddMember(key, value, alloc);
  return true;
}

bool TakePath(rapidjson::Value& root, const JsonPath& path, rapidjson::Value* out) {
  rapidjson::Value* parent = GetParent(root, path);
  if (parent == nullptr) return false;
  auto it = FindIterator(*parent, path.leaf());
  if (it == parent->MemberEnd()) return false;
  if (out != nullptr) *out = it->value;
  parent->EraseMember(it);  // keeps the order of the others (RemoveMember would not)
  return true;
}

bool RemovePath(rapidjson::Value& root, const JsonPath& path) {
  return TakePath(root, path, nullptr);
}

bool RenameMember(rapidjson::Value& object, std::string_view from, std::string_view to,
                  JsonAllocator& alloc) {
  if (!object.IsObject()) return false;
  if (from == to) return FindIn(object, from) != nullptr;
  auto it = FindIterator(object, from);
  if (it == object.MemberEnd()) return false;
  auto clash = FindIterator(object, to);
  if (clash != object.MemberEnd()) {
    // Erasing shifts the members after `clash`; recompute `it` from its position.
    const auto pos = it - object.MemberBegin();
    const auto clash_pos = clash - object.MemberBegin();
    object.EraseMember(clash);
    it = object.MemberBegin() + (clash_pos < pos ? pos - 1 : pos);
  }
  it->name.SetString(to.data(), static_cast<rapidjson::SizeType>(to.size()), alloc);
  return true;
}

Result<rapidjson::Value*> ValueObject(RecordContext& record) {
  rapidjson::Value* value = record.Value();
  if (value == nullptr) {
    if (record.value_is_null()) return static_cast<rapidjson::Value*>(nullptr);
    return Status::InvalidArgument(record.value_error());
  }
  if (value->IsNull()) return static_cast<rapidjson::Value*>(nullptr);
  if (!value->IsObject()) {
    return Status::InvalidArgument(std::string("value is ") + JsonTypeName(*value) +
                                   ", not a JSON object");
  }
  return value;
}

const char* JsonTypeName(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

}  // namespace rivven::transforms
