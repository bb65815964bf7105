#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "transforms/expr/expr_ast.h"

namespace rivven::transforms::expr {

/// Compiles `text` (grammar in docs/expressions.md) into a tree: paths split into segments,
/// constant subtrees folded, regular expressions with a constant pattern compiled. Nesting
/// (parentheses, prefix operators, lists, calls, operator chains) deeper than `max_depth` is an
/// error, so neither parsing nor evaluation can exhaust the stack. Errors are InvalidArgument
/// with a message from FormatCompileError.
Result<std::unique_ptr<Node>> Parse(std::string_view text, int max_depth);

/// "<kind> at column C: <detail>" (or "at line L, column C" for a multi-line text), then the
/// offending line of `text` and a caret under byte `pos`, both indented by two spaces. Columns
/// count code points from 1; tabs before the column are repeated in the caret line so the
/// caret lines up.
std::string FormatCompileError(std::string_view text, size_t pos, std::string_view kind,
                               std::string_view detail);

}  // namespace rivven::transforms::expr
