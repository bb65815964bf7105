#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "transforms/transform.h"

namespace rivven::transforms {

/// RegexRouter (Kafka Connect): a topic that fully matches `regex` is renamed to `replacement`.
TransformDescriptor RegexRouterDescriptor();
void RegisterRegexRouter(TransformRegistry& registry);

/// Java's `matcher.matches() ? matcher.replaceFirst(replacement) : no match` over RE2, the rewrite
/// behind RegexRouter and the outbox EventRouter's topic. The regex must match the whole text.
/// The replacement takes Java's syntax: `$1` (the longest group number that exists), `${name}`
/// for a named group `(?<name>...)` or `(?P<name>...)`, `\$` and `\\` for literal characters; a
/// group that took no part in the match inserts nothing.
///
/// Compiled once from config; Rewrite is const and safe from any thread.
class RegexRewrite {
 public:
  RegexRewrite();
  ~RegexRewrite();
  RegexRewrite(RegexRewrite&&) noexcept;
  RegexRewrite& operator=(RegexRewrite&&) noexcept;

  /// A bad regex or a reference to a group that does not exist is an error (no key path in
  /// the message: the caller adds it).
  static Result<RegexRewrite> Compile(std::string_view regex, std::string_view replacement);
  /// Whether a Compile error is about the regex (else it is about the replacement).
  static bool IsRegexError(const Status& error);

  /// The rewritten text, or nullopt when `text` does not fully match.
  std::optional<std::string> Rewrite(std::string_view text) const;
  /// The replacement when it refers to no group (every match gives the same text).
  std::optional<std::string> ConstantResult() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivven::transforms
