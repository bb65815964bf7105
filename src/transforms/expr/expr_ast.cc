#include "transforms/expr/expr_ast.h"

#include <re2/re2.h>

namespace rivven::transforms::expr {

Node::Node(Op op, size_t pos) : op(op), pos(pos) {}
Node::~Node() = default;

}  // namespace rivven::transforms::expr
