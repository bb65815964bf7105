#include "transforms/expr/expr_eval.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <rapidjson/document.h>
#include <re2/re2.h>

#include "transforms/expr/expr_functions.h"
#include "transforms/expr/record_view.h"

namespace rivven::transforms::expr {
namespace {

const rapidjson::Value* ResolveJson(const Path& path, RecordView& view) {
  const rapidjson::Value* cur = path.root == Root::kValue ? view.Value() : view.Key();
  for (const Segment& seg : path.segments) {
    if (cur == nullptr) return nullptr;
    if (seg.is_index) {
      if (!cur->IsArray()) return nullptr;
      const auto n = static_cast<int64_t>(cur->Size());
      const int64_t k = seg.index < 0 ? n + seg.index : seg.index;
      if (k < 0 || k >= n) return nullptr;
      cur = &(*cur)[static_cast<rapidjson::SizeType>(k)];
    } else {
      if (!cur->IsObject()) return nullptr;
      const rapidjson::Value name(
          rapidjson::StringRef(seg.name.data(), static_cast<rapidjson::SizeType>(seg.name.size())));
      auto it = cur->FindMember(name);
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    }
  }
  return cur;
}

Val ReadPath(const Path& path, RecordView* view) {
  if (view == nullptr) return Val();
  switch (path.root) {
    case Root::kValue:
    case Root::kKey:
      return Val::FromJson(ResolveJson(path, *view));
    case Root::kHeader: {
      auto h = view->Header(path.segments[0].name);
      return h ? Val::String(*h) : Val();
    }
    case Root::kTopic:
      return Val::String(view->Topic());
    case Root::kPartition: {
      const int64_t p = view->Partition();
      return p < 0 ? Val() : Val::Int(p);
    }
    case Root::kOffset: {
      const int64_t o = view->Offset();
      return o < 0 ? Val() : Val::Int(o);
    }
    case Root::kTimestamp:
      return Val::Int(view->TimestampMs());
  }
  return Val();
}

bool Exists(const Path& path, RecordView* view) {
  if (view == nullptr) return false;
  switch (path.root) {
    case Root::kValue:
    case Root::kKey:
      return ResolveJson(path, *view) != nullptr;
    case Root::kHeader:
      return view->Header(path.segments[0].name).has_value();
    case Root::kPartition:
      return view->Partition() >= 0;
    case Root::kOffset:
      return view->Offset() >= 0;
    case Root::kTopic:
    case Root::kTimestamp:
      return true;
  }
  return false;
}

Val Arithmetic(Op op, const Val& a, const Val& b) {
  if (!a.is_number() || !b.is_number()) return Val();
  if (a.type == Type::kInt && b.type == Type::kInt) {
    int64_t r;
    switch (op) {
      case Op::kAdd:
        if (!__builtin_add_overflow(a.i, b.i, &r)) return Val::Int(r);
        break;
      case Op::kSub:
        if (!__builtin_sub_overflow(a.i, b.i, &r)) return Val::Int(r);
        break;
      case Op::kMul:
        if (!__builtin_mul_overflow(a.i, b.i, &r)) return Val::Int(r);
        break;
      case Op::kDiv:
        if (b.i == 0) return Val();
        if (b.i != -1 && a.i % b.i == 0) return Val::Int(a.i / b.i);
        if (b.i == -1 && a.i != std::numeric_limits<int64_t>::min()) return Val::Int(-a.i);
        break;
      case Op::kMod:
        if (b.i == 0) return Val();
        return Val::Int(b.i == -1 ? 0 : a.i % b.i);
      default:
        return Val();
    }
    // Overflow or an inexact quotient: computed in floating point below.
  }
  const double x = a.as_double();
  const double y = b.as_double();
  double r;
  switch (op) {
    case Op::kAdd:
      r = x + y;
      break;
    case Op::kSub:
      r = x - y;
      break;
    case Op::kMul:
      r = x * y;
      break;
    case Op::kDiv:
      if (y == 0) return Val();
      r = x / y;
      break;
    case Op::kMod:
      if (y == 0) return Val();
      r = std::fmod(x, y);
      break;
    default:
      return Val();
  }
  return std::isfinite(r) ? Val::Double(r) : Val();
}

Val Negate(const Val& v) {
  if (v.type == Type::kInt) {
    if (v.i == std::numeric_limits<int64_t>::min()) return Val::Double(-static_cast<double>(v.i));
    return Val::Int(-v.i);
  }
  if (v.type == Type::kDouble) return Val::Double(-v.d);
  return Val();
}

bool Compare(Op op, const Val& a, const Val& b) {
  if (op == Op::kEq) return Equal(a, b);
  if (op == Op::kNe) return !Equal(a, b);
  const auto o = Order(a, b);
  if (!o) return false;
  switch (op) {
    case Op::kLt:
      return *o < 0;
    case Op::kLe:
      return *o <= 0;
    case Op::kGt:
      return *o > 0;
    case Op::kGe:
      return *o >= 0;
    default:
      return false;
  }
}

/// `needle in node.children[1]`: items of a list literal are evaluated one at a time and stop
/// at the first match; an evaluated list or a DOM array is scanned; anything else has no
/// members.
bool In(const Node& node, RecordView* view, ValueArena& arena) {
  const Val needle = Evaluate(*node.children[0], view, arena);
  const Node& haystack = *node.children[1];
  if (haystack.op == Op::kList) {
    for (const auto& item : haystack.children) {
      if (Equal(needle, Evaluate(*item, view, arena))) return true;
    }
    return false;
  }
  const Val h = Evaluate(haystack, view, arena);
  if (h.type == Type::kList) {
    for (size_t k = 0; k < h.list.size; ++k) {
      if (Equal(needle, h.list.items[k])) return true;
    }
    return false;
  }
  if (h.type == Type::kJson && h.json->IsArray()) {
    for (const auto& item : h.json->GetArray()) {
      if (Equal(needle, Val::FromJson(&item))) return true;
    }
  }
  return false;
}

bool Matches(const Node& node, RecordView* view, ValueArena& arena) {
  const Val subject = Evaluate(*node.children[0], view, arena);
  if (subject.type != Type::kString) return false;
  const std::string_view s = subject.string();
  if (node.regex) return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *node.regex);
  // A pattern computed from the record: compiled for this evaluation only.
  const Val pattern = Evaluate(*node.children[1], view, arena);
  if (pattern.type != Type::kString) return false;
  auto re = NewRegex(pattern.string());
  return re->ok() && RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re);
}

}  // namespace

std::unique_ptr<re2::RE2> NewRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
}

Val Evaluate(const Node& node, RecordView* view, ValueArena& arena) {
  const auto& c = node.children;
  switch (node.op) {
    case Op::kConst:
      return node.constant.value();
    case Op::kPath:
      return ReadPath(node.path, view);
    case Op::kExists:
      return Val::Bool(Exists(node.path, view));
    case Op::kList: {
      Val* items = arena.NewList(c.size());
      for (size_t k = 0; k < c.size(); ++k) items[k] = Evaluate(*c[k], view, arena);
      return Val::List(items, c.size());
    }
    case Op::kNot:
      return Val::Bool(!Truthy(Evaluate(*c[0], view, arena)));
    case Op::kNeg:
      return Negate(Evaluate(*c[0], view, arena));
    case Op::kAnd:
      for (const auto& child : c) {
        if (!Truthy(Evaluate(*child, view, arena))) return Val::Bool(false);
      }
      return Val::Bool(true);
    case Op::kOr:
      for (const auto& child : c) {
        if (Truthy(Evaluate(*child, view, arena))) return Val::Bool(true);
      }
      return Val::Bool(false);
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      const Val a = Evaluate(*c[0], view, arena);
      return Val::Bool(Compare(node.op, a, Evaluate(*c[1], view, arena)));
    }
    case Op::kIn:
      return Val::Bool(In(node, view, arena));
    case Op::kNotIn:
      return Val::Bool(!In(node, view, arena));
    case Op::kMatches:
      return Val::Bool(Matches(node, view, arena));
    case Op::kNotMatches:
      return Val::Bool(!Matches(node, view, arena));
    case Op::kIsNull:
      return Val::Bool(Evaluate(*c[0], view, arena).is_null());
    case Op::kIsNotNull:
      return Val::Bool(!Evaluate(*c[0], view, arena).is_null());
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kMod: {
      const Val a = Evaluate(*c[0], view, arena);
      return Arithmetic(node.op, a, Evaluate(*c[1], view, arena));
    }
    case Op::kLower:
    case Op::kUpper:
    case Op::kLen:
    case Op::kStartsWith:
    case Op::kEndsWith:
    case Op::kContains: {
      Val args[2];
      for (size_t k = 0; k < c.size() && k < 2; ++k) args[k] = Evaluate(*c[k], view, arena);
      return CallFunction(node.op, args, arena);
    }
  }
  return Val();
}

}  // namespace rivven::transforms::expr
