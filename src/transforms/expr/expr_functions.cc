#include "transforms/expr/expr_functions.h"

#include <array>
#include <string>

#include <rapidjson/document.h>

namespace rivven::transforms::expr {
namespace {

constexpr std::array<FunctionInfo, 7> kFunctions = {{
    {"lower", Op::kLower, 1},
    {"upper", Op::kUpper, 1},
    {"len", Op::kLen, 1},
    {"starts_with", Op::kStartsWith, 2},
    {"ends_with", Op::kEndsWith, 2},
    {"contains", Op::kContains, 2},
    {"exists", Op::kExists, 1},
}};

/// ASCII case mapping; other bytes (all of multi-byte UTF-8) are kept, so the result is valid
/// UTF-8 whenever the input is.
Val MapCase(const Val& v, bool to_upper, ValueArena& arena) {
  if (v.type != Type::kString) return Val();
  const std::string_view s = v.string();
  const char from_lo = to_upper ? 'a' : 'A';
  const char from_hi = to_upper ? 'z' : 'Z';
  size_t first = 0;
  while (first < s.size() && !(s[first] >= from_lo && s[first] <= from_hi)) ++first;
  if (first == s.size()) return v;  // nothing to change: no copy
  std::string out(s);
  for (size_t k = first; k < out.size(); ++k) {
    if (out[k] >= from_lo && out[k] <= from_hi) out[k] = static_cast<char>(out[k] ^ 0x20);
  }
  return Val::String(arena.Keep(std::move(out)));
}

Val Length(const Val& v) {
  switch (v.type) {
    case Type::kString:
      return Val::Int(static_cast<int64_t>(Utf8Length(v.string())));
    case Type::kList:
      return Val::Int(static_cast<int64_t>(v.list.size));
    case Type::kJson:
      return Val::Int(v.json->IsArray() ? v.json->Size() : v.json->MemberCount());
    default:
      return Val();
  }
}

}  // namespace

const FunctionInfo* FindFunction(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Val CallFunction(Op op, const Val* args, ValueArena& arena) {
  switch (op) {
    case Op::kLower:
      return MapCase(args[0], false, arena);
    case Op::kUpper:
      return MapCase(args[0], true, arena);
    case Op::kLen:
      return Length(args[0]);
    default:
      break;
  }
  if (args[0].type != Type::kString || args[1].type != Type::kString) return Val();
  const std::string_view s = args[0].string();
  const std::string_view part = args[1].string();
  switch (op) {
    case Op::kStartsWith:
      return Val::Bool(s.starts_with(part));
    case Op::kEndsWith:
      return Val::Bool(s.ends_with(part));
    case Op::kContains:
      return Val::Bool(s.find(part) != std::string_view::npos);
    default:
      return Val();
  }
}

}  // namespace rivven::transforms::expr
