#pragma once

// Included only by .cc files: it brings in RapidJSON.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "base/status.h"

namespace rivven::formats {

/// A JSONPath query (the common subset of Goessner's JSONPath and RFC 9535):
///   $                      the root
///   .name  ['name']        a member ("name" may be quoted with ' or ")
///   .*  [*]                every member or element
///   ..name  ..*  ..[...]   the same at any depth (recursive descent)
///   [2]  [-1]              an element (negative: from the end)
///   [0:10:2]  [:3]  [-2:]  a slice (start:end:step, Python's rules)
///   [0,2]  ['a','b']       a union of indices or names
///   [?(@.price > 10 && @.tag == 'x')]
///                          the elements (or member values) for which the filter holds:
///                          @-relative paths (members and indices), comparisons == != < <= > >=
///                          with numbers, strings, true, false, null; && || ! and parentheses;
///                          a bare path tests that it exists.
/// Results come in document order. Immutable after Parse; Select is thread-safe.
class JsonPath {
 public:
  /// Parses `text`; InvalidArgument names the position of the problem ("at 7: expected ']'").
  static Result<JsonPath> Parse(std::string_view text);

  /// The values `root` holds at this path.
  std::vector<const rapidjson::Value*> Select(const rapidjson::Value& root) const;

  const std::string& text() const { return text_; }

  struct Segment;
  struct Expr;

  JsonPath();
  ~JsonPath();
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

 private:
  std::string text_;
  std::vector<std::unique_ptr<Segment>> segments_;
};

}  // namespace rivven::formats
