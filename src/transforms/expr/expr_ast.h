#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transforms/expr/expr_value.h"

namespace re2 {
class RE2;
}

namespace rivven::transforms::expr {

enum class Op : uint8_t {
  kConst,   ///< constant: a literal or a folded constant subtree
  kPath,    ///< a field of the record (Node::path)
  kExists,  ///< exists(path): true when the field is present, even as JSON null
  kList,    ///< [a, b, ...] with at least one non-constant item
  kNot,     ///< !a
  kNeg,     ///< -a
  kAnd,     ///< a && b && ... (n-ary, short-circuit)
  kOr,      ///< a || b || ... (n-ary, short-circuit)
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,          ///< a in b
  kNotIn,       ///< a not in b
  kMatches,     ///< a matches b (RE2, unanchored)
  kNotMatches,  ///< a not matches b
  kIsNull,      ///< a is null
  kIsNotNull,   ///< a is not null
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kLower,
  kUpper,
  kLen,
  kStartsWith,
  kEndsWith,
  kContains,
};

/// Where a path starts. `op` is compiled to value.op.
enum class Root : uint8_t { kValue, kKey, kHeader, kTopic, kPartition, kOffset, kTimestamp };

/// One step of a path: a member name or an array index (negative counts from the end).
struct Segment {
  std::string name;
  int64_t index = 0;
  bool is_index = false;
};

/// A path split into segments at compile time. For kHeader the single segment is the header's
/// name; topic/partition/offset/timestamp have none.
struct Path {
  Root root = Root::kValue;
  std::vector<Segment> segments;
};

/// One node of a compiled expression. Built by the parser, immutable afterwards; evaluation
/// only reads it, so one tree may be evaluated from several threads at once.
struct Node {
  // Out of line: re2::RE2 is complete only in expr_ast.cc.
  Node(Op op, size_t pos);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  Op op;
  int height = 1;  ///< 1 + the highest child's height; bounded by kMaxNestingDepth
  size_t pos;      ///< byte offset in the expression text, for compile errors
  std::vector<std::unique_ptr<Node>> children;
  Constant constant;                ///< kConst
  Path path;                        ///< kPath, kExists
  std::unique_ptr<re2::RE2> regex;  ///< kMatches/kNotMatches whose pattern is constant
};

}  // namespace rivven::transforms::expr
