#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::transforms {

class RecordContext;

/// A compiled expression of the filter language (docs/expressions.md): paths (value.a.b,
/// key.id, headers.x, topic, partition, offset, timestamp, op), literals, comparison, boolean
/// logic, `in`, `matches` (RE2), `is null`, exists(), arithmetic, string functions.
/// Compiled once at startup; Evaluate is thread-compatible (const) and never throws.
class Expression {
 public:
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

  const std::string& text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivven::transforms
