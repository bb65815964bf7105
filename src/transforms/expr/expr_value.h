#pragma once

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/fwd.h>

namespace rivven::transforms::expr {

enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kJson, kList };

/// One value during evaluation. Never owns anything, so it is trivially copyable and making one
/// never allocates: a string points into the record's DOM, into the compiled expression's
/// constants or into the evaluation's ValueArena; kJson is a DOM array or object (scalars read
/// from the DOM become kNull/kBool/kInt/kDouble/kString); kList is a list literal's items.
struct Val {
  Type type = Type::kNull;
  union {
    bool b;
    int64_t i;
    double d;
    struct {
      const char* data;
      size_t size;
    } str;
    const rapidjson::Value* json;
    struct {
      const Val* items;
      size_t size;
    } list;
  };

  Val() : i(0) {}
  static Val Bool(bool v) {
    Val r;
    r.type = Type::kBool;
    r.b = v;
    return r;
  }
  static Val Int(int64_t v) {
    Val r;
    r.type = Type::kInt;
    r.i = v;
    return r;
  }
  static Val Double(double v) {
    Val r;
    r.type = Type::kDouble;
    r.d = v;
    return r;
  }
  static Val String(std::string_view s) {
    Val r;
    r.type = Type::kString;
    r.str = {s.data(), s.size()};
    return r;
  }
  static Val List(const Val* items, size_t size) {
    Val r;
    r.type = Type::kList;
    r.list = {items, size};
    return r;
  }
  /// A DOM value: nullptr (missing) becomes null, scalars become their Val type.
  static Val FromJson(const rapidjson::Value* v);

  bool is_null() const { return type == Type::kNull; }
  bool is_number() const { return type == Type::kInt || type == Type::kDouble; }
  std::string_view string() const { return {str.data, str.size}; }
  double as_double() const { return type == Type::kInt ? static_cast<double>(i) : d; }
};

/// Truth of a value: false for null, false, 0, NaN and ""; true otherwise (arrays and objects
/// too, even empty ones).
bool Truthy(const Val& v);

/// Equality of the language's `==`: same type family and same value. Numbers compare by value
/// across integer/float (exactly, without rounding the integer); arrays and lists element by
/// element; objects by members regardless of order. No conversions: 1 == "1" is false.
bool Equal(const Val& a, const Val& b);

/// Ordering of `<`: -1, 0 or 1 for two numbers or two strings (bytewise, which is code point
/// order for UTF-8); nullopt for any other pair, which makes every ordering comparison false.
std::optional<int> Order(const Val& a, const Val& b);

/// Appends `v` as compact JSON ("null" for null).
void AppendJson(const Val& v, std::string& out);

/// Sets `out` to `v`, copying strings and subtrees with `allocator`; a non-finite number
/// becomes null.
void ToDom(const Val& v, rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>& allocator,
           rapidjson::Value* out);

/// Unicode code points in UTF-8 text (bytes that are not continuation bytes).
size_t Utf8Length(std::string_view s);

/// Owns the strings and lists that evaluation makes (lower(), upper(), a list literal with
/// non-constant items) and the storage of compile-time constants. Addresses stay valid until
/// the arena is destroyed, also across moves. An arena nobody writes to never allocates.
class ValueArena {
 public:
  std::string_view Keep(std::string s) {
    strings_.push_front(std::move(s));
    return strings_.front();
  }
  /// `n` null values, writable until the list is handed out as a Val.
  Val* NewList(size_t n) {
    lists_.emplace_front(n);
    return lists_.front().data();
  }
  /// Nothing kept: the evaluation that used this arena allocated nothing through it.
  bool empty() const { return strings_.empty() && lists_.empty(); }

 private:
  std::forward_list<std::string> strings_;
  std::forward_list<std::vector<Val>> lists_;
};

/// A value owned by the compiled expression: a literal or a folded constant subtree.
class Constant {
 public:
  Constant() = default;
  /// Deep-copies `v` (its strings and list items). A DOM value cannot be constant and becomes
  /// null.
  explicit Constant(const Val& v) : value_(Copy(v)) {}
  const Val& value() const { return value_; }

 private:
  Val Copy(const Val& v);

  ValueArena storage_;
  Val value_;
};

}  // namespace rivven::transforms::expr
