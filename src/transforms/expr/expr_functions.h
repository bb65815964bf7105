#pragma once

#include <string_view>

#include "transforms/expr/expr_ast.h"
#include "transforms/expr/expr_value.h"

namespace rivven::transforms::expr {

/// A built-in function: its name in the language, the node it compiles to, how many arguments
/// it takes.
struct FunctionInfo {
  std::string_view name;
  Op op;
  int arity;
};

/// The built-in function called `name`, or nullptr. exists() is among them; its argument must be
/// a path, which the parser checks.
const FunctionInfo* FindFunction(std::string_view name);

/// Applies string/collection function `op` (kLower .. kContains) to evaluated arguments.
/// Arguments of the wrong type give null. New strings go to `arena`; a string that needs no
/// change is returned as it is, without allocating.
Val CallFunction(Op op, const Val* args, ValueArena& arena);

}  // namespace rivven::transforms::expr
