#include "transforms/expr/expr_value.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "base/json_escape.h"

namespace rivven::transforms::expr {
namespace {

/// Nesting beyond which two arrays/objects compare unequal instead of recursing further: keeps
/// the stack bounded whatever the record holds.
constexpr int kMaxCompareDepth = 256;

/// Three-way comparison of two numbers; nullopt when either is NaN. An integer and a float are
/// compared as long double, which holds every int64 and every double exactly.
std::optional<int> CompareNumbers(const Val& a, const Val& b) {
  if (a.type == Type::kInt && b.type == Type::kInt) return (a.i > b.i) - (a.i < b.i);
  const long double x = a.type == Type::kInt ? static_cast<long double>(a.i) : a.d;
  const long double y = b.type == Type::kInt ? static_cast<long double>(b.i) : b.d;
  if (std::isnan(x) || std::isnan(y)) return std::nullopt;
  return (x > y) - (x < y);
}

bool IsArrayLike(const Val& v) {
  return v.type == Type::kList || (v.type == Type::kJson && v.json->IsArray());
}

size_t ArraySize(const Val& v) { return v.type == Type::kList ? v.list.size : v.json->Size(); }

Val ArrayItem(const Val& v, size_t k) {
  return v.type == Type::kList ? v.list.items[k]
                               : Val::FromJson(&(*v.json)[static_cast<rapidjson::SizeType>(k)]);
}

bool EqualAt(const Val& a, const Val& b, int depth) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (IsArrayLike(a) && IsArrayLike(b)) {
    if (depth >= kMaxCompareDepth) return false;
    const size_t n = ArraySize(a);
    if (n != ArraySize(b)) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!EqualAt(ArrayItem(a, k), ArrayItem(b, k), depth + 1)) return false;
    }
    return true;
  }
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return a.b == b.b;
    case Type::kString:
      return a.str.size == b.str.size && std::memcmp(a.str.data, b.str.data, a.str.size) == 0;
    case Type::kJson: {
      // Both are objects here (arrays were handled above).
      if (!a.json->IsObject() || !b.json->IsObject()) return false;
      if (a.json->MemberCount() != b.json->MemberCount()) return false;
      if (depth >= kMaxCompareDepth) return false;
      for (auto m = a.json->MemberBegin(); m != a.json->MemberEnd(); ++m) {
        auto other = b.json->FindMember(m->name);
        if (other == b.json->MemberEnd()) return false;
        if (!EqualAt(Val::FromJson(&m->value), Val::FromJson(&other->value), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

/// rapidjson's output-stream concept over a std::string.
struct StringStream {
  using Ch = char;
  std::string& out;
  void Put(char c) { out.push_back(c); }
  void Flush() {}
};

}  // namespace

Val Val::FromJson(const rapidjson::Value* v) {
  if (v == nullptr) return Val();
  switch (v->GetType()) {
    case rapidjson::kNullType:
      return Val();
    case rapidjson::kFalseType:
      return Bool(false);
    case rapidjson::kTrueType:
      return Bool(true);
    case rapidjson::kStringType:
      return String(std::string_view(v->GetString(), v->GetStringLength()));
    case rapidjson::kNumberType:
      if (v->IsInt64()) return Int(v->GetInt64());
      return Double(v->GetDouble());  // a double, or a uint64 above INT64_MAX
    case rapidjson::kArrayType:
    case rapidjson::kObjectType: {
      Val r;
      r.type = Type::kJson;
      r.json = v;
      return r;
    }
  }
  return Val();
}

bool Truthy(const Val& v) {
  switch (v.type) {
    case Type::kNull:
      return false;
    case Type::kBool:
      return v.b;
    case Type::kInt:
      return v.i != 0;
    case Type::kDouble:
      return v.d != 0 && !std::isnan(v.d);
    case Type::kString:
      return v.str.size != 0;
    case Type::kJson:
    case Type::kList:
      return true;
  }
  return false;
}

bool Equal(const Val& a, const Val& b) { return EqualAt(a, b, 0); }

std::optional<int> Order(const Val& a, const Val& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b);
  if (a.type == Type::kString && b.type == Type::kString) {
    const int c = a.string().compare(b.string());
    return (c > 0) - (c < 0);
  }
  return std::nullopt;
}

void AppendJson(const Val& v, std::string& out) {
  char buf[32];
  switch (v.type) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.b ? "true" : "false";
      return;
    case Type::kInt: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, r.ptr);
      return;
    }
    case Type::kDouble: {
      if (!std::isfinite(v.d)) {
        out += "null";  // JSON has no NaN or infinity
        return;
      }
      // The shortest text that reads back as the same double; ".0" keeps an integral float a
      // float for readers that type JSON numbers by their text.
      auto r = std::to_chars(buf, buf + sizeof buf, v.d);
      const std::string_view text(buf, r.ptr - buf);
      out += text;
      if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
      return;
    }
    case Type::kString:
      AppendJsonString(out, v.string());
      return;
    case Type::kJson: {
      StringStream stream{out};
      rapidjson::Writer<StringStream> writer(stream);
      v.json->Accept(writer);
      return;
    }
    case Type::kList:
      out.push_back('[');
      for (size_t k = 0; k < v.list.size; ++k) {
        if (k > 0) out.push_back(',');
        AppendJson(v.list.items[k], out);
      }
      out.push_back(']');
      return;
  }
}

namespace {

rapidjson::Value BuildDom(const Val& v, rapidjson::MemoryPoolAllocator<>& allocator) {
  switch (v.type) {
    case Type::kNull:
      return rapidjson::Value();
    case Type::kBool:
      return rapidjson::Value(v.b);
    case Type::kInt:
      return rapidjson::Value(v.i);
    case Type::kDouble:
      return std::isfinite(v.d) ? rapidjson::Value(v.d) : rapidjson::Value();
    case Type::kString:
      return rapidjson::Value(v.str.data, static_cast<rapidjson::SizeType>(v.str.size), allocator);
    case Type::kJson:
      return rapidjson::Value(*v.json, allocator);
    case Type::kList: {
      rapidjson::Value array(rapidjson::kArrayType);
      array.Reserve(static_cast<rapidjson::SizeType>(v.list.size), allocator);
      for (size_t k = 0; k < v.list.size; ++k) {
        array.PushBack(BuildDom(v.list.items[k], allocator), allocator);
      }
      return array;
    }
  }
  return rapidjson::Value();
}

}  // namespace

void ToDom(const Val& v, rapidjson::MemoryPoolAllocator<>& allocator, rapidjson::Value* out) {
  // Built apart first: `v` may point into `out` or below it.
  rapidjson::Value built = BuildDom(v, allocator);
  *out = built;  // rapidjson's assignment moves
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Val Constant::Copy(const Val& v) {
  switch (v.type) {
    case Type::kString:
      return Val::String(storage_.Keep(std::string(v.string())));
    case Type::kList: {
      Val* items = storage_.NewList(v.list.size);
      for (size_t k = 0; k < v.list.size; ++k) items[k] = Copy(v.list.items[k]);
      return Val::List(items, v.list.size);
    }
    case Type::kJson:
      return Val();
    default:
      return v;
  }
}

}  // namespace rivven::transforms::expr
