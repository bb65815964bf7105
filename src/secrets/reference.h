#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::secrets {

/// A secret reference written as a whole YAML string value. When a value counts as one:
/// - `vault:<path>#<key>`: any value that starts with `vault:` (a malformed one is an error);
///   path and key are non-empty, without whitespace; the path has no '#' and no leading '/'.
/// - `env:<NAME>`: NAME matches [A-Za-z_][A-Za-z0-9_]*; anything else after `env:` is a literal.
/// - `file:/<absolute path>`: exactly one '/' after the colon; `file:///x` and `file://host/x`
///   are URLs and stay literal, as do relative `file:x` forms (SQLite-style URIs).
/// A reference inside a longer value (`Bearer vault:...`) is not resolved.
struct Reference {
  enum class Kind { kVault, kEnv, kFile };
  Kind kind = Kind::kEnv;
  std::string text;  ///< as written, for messages: never secret
  std::string path;  ///< vault: API path (secret/data/pg); file: the file; env: the variable
  std::string key;   ///< vault only

  bool operator<(const Reference& o) const { return text < o.text; }
  bool operator==(const Reference& o) const { return text == o.text; }
};

/// The reference `value` is, nullopt when it is an ordinary value, or InvalidArgument for a
/// malformed `vault:` value (naming the expected form).
Result<std::optional<Reference>> ParseReference(std::string_view value);

}  // namespace rivven::secrets
