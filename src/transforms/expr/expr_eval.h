#pragma once

#include <memory>
#include <string_view>

#include "transforms/expr/expr_ast.h"
#include "transforms/expr/expr_value.h"

namespace rivven::transforms::expr {

class RecordView;

/// Evaluates a compiled tree. Never fails and never throws: missing fields are null and type
/// mismatches follow docs/expressions.md. Reads of the record go through `view`, only for the
/// paths actually reached (the right side of a decided && / || is not evaluated). `view` may
/// be nullptr for a subtree without paths (constant folding). Strings and lists the evaluation
/// makes live in `arena`, which must outlive the result.
Val Evaluate(const Node& node, RecordView* view, ValueArena& arena);

/// An RE2 for `pattern` with the options the language uses (UTF-8, errors not logged). The
/// caller checks ok().
std::unique_ptr<re2::RE2> NewRegex(std::string_view pattern);

}  // namespace rivven::transforms::expr
