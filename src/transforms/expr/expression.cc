#include "transforms/expr/expression.h"

#include <rapidjson/document.h>

#include "transforms/expr/expr_ast.h"
#include "transforms/expr/expr_eval.h"
#include "transforms/expr/expr_parser.h"
#include "transforms/expr/expr_value.h"

namespace rivven::transforms {

struct Expression::Impl {
  std::string text;
  std::unique_ptr<expr::Node> root;
};

Expression::Expression() = default;
Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Result<Expression> Expression::Compile(std::string_view text) {
  auto root = expr::Parse(text, kMaxNestingDepth);
  if (!root.ok()) return root.status();
  Expression e;
  e.impl_ = std::make_unique<Impl>();
  e.impl_->text = std::string(text);
  e.impl_->root = std::move(root).value();
  return e;
}

const std::string& Expression::text() const {
  static const std::string kEmpty;
  return impl_ ? impl_->text : kEmpty;
}

// A default-constructed (or moved-from) Expression evaluates to null.

bool Expression::Test(expr::RecordView& record) const {
  if (!impl_) return false;
  expr::ValueArena arena;
  return expr::Truthy(expr::Evaluate(*impl_->root, &record, arena));
}

std::string Expression::EvaluateToJson(expr::RecordView& record) const {
  std::string out;
  expr::ValueArena arena;
  expr::AppendJson(impl_ ? expr::Evaluate(*impl_->root, &record, arena) : expr::Val(), out);
  return out;
}

void Expression::EvaluateToDom(expr::RecordView& record,
                               rapidjson::MemoryPoolAllocator<>& allocator,
                               rapidjson::Value* out) const {
  expr::ValueArena arena;
  expr::ToDom(impl_ ? expr::Evaluate(*impl_->root, &record, arena) : expr::Val(), allocator, out);
}

}  // namespace rivven::transforms
