#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/fwd.h>

#include "base/status.h"

namespace rivven::transforms {

class RecordContext;
namespace expr {
class RecordView;
}  // namespace expr

/// A compiled expression of the filter language (docs/expressions.md): paths (value.a.b,
/// key.id, headers.x, topic, partition, offset, timestamp, op), literals, comparison, boolean
/// logic, `in`, `matches` (RE2), `is null`, exists(), arithmetic, string functions.
/// Compiled once at startup; Evaluate is thread-compatible (const) and never throws.
class Expression {
 public:
  /// Parentheses, lists, calls, prefix operators and operator chains nest at most this deep; a
  /// deeper expression is a compile error (so no input can exhaust the stack).
  static constexpr int kMaxNestingDepth = 200;

  Expression();
  ~Expression();
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  /// Parses and checks `text`. A syntax error's message shows the expression and a caret under
  /// the offending column, e.g.
  ///   syntax error at column 14: expected a value after '>'
  ///     value.amount >
  ///                  ^
  static Result<Expression> Compile(std::string_view text);

  /// The expression's truth for `record`: false for null/missing/false/0/""; type mismatches
  /// and missing fields follow the documented semantics (they never fail).
  bool Test(RecordContext& record) const;

  /// The value as compact JSON text ("null" when missing), for computed fields.
  std::string EvaluateToJson(RecordContext& record) const;

  /// The value as a DOM node allocated with record.allocator(), for computed fields that put it
  /// into the record without a round trip through text. Strings and subtrees are copied, so
  /// `out` may go anywhere in the record's DOM.
  void EvaluateToDom(RecordContext& record, rapidjson::Value* out) const;

  /// The same over any RecordView (tests, tools, callers holding a bare DOM).
  bool Test(expr::RecordView& record) const;
  std::string EvaluateToJson(expr::RecordView& record) const;
  void EvaluateToDom(expr::RecordView& record,
                     rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>& allocator,
                     rapidjson::Value* out) const;

  const std::string& text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivven::transforms
