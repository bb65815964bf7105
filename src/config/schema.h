#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/diagnostics.h"
#include "config/node.h"

namespace rivven::config {

enum class ValueType {
  kString,
  kInt,
  kDouble,
  kBool,
  kStringList,  ///< YAML sequence of scalars (a single scalar is accepted as a list of one)
  kStringMap,   ///< YAML map of scalar -> scalar (e.g. HTTP headers)
  kObject,      ///< nested keys declared in `children`
  kAny,         ///< passed through unvalidated (e.g. wasm plugin_config); read with Raw()
};

/// The one declaration of a configuration key: type, default, bounds, description. It drives
/// binding, validation, `spec NAME` (JSON Schema) and docs/connectors.md.
struct KeySpec {
  std::string name;
  ValueType type = ValueType::kString;
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;  ///< YAML scalar text: "1", "json", "false"
  std::optional<double> min;                 ///< kInt/kDouble inclusive bounds
  std::optional<double> max;
  std::vector<std::string> allowed;          ///< kString (or list items): allowed values
  std::vector<KeySpec> children;             ///< kObject
  bool secret = false;                       ///< value prints as *** everywhere

  KeySpec& Required() { required = true; return *this; }
  KeySpec& Default(std::string v) { default_value = std::move(v); return *this; }
  KeySpec& Min(double v) { min = v; return *this; }
  KeySpec& Max(double v) { max = v; return *this; }
  KeySpec& OneOf(std::vector<std::string> v) { allowed = std::move(v); return *this; }
  KeySpec& Secret() { secret = true; return *this; }
  KeySpec& Child(KeySpec k) { children.push_back(std::move(k)); return *this; }
};

inline KeySpec Key(std::string name, ValueType type, std::string description) {
  KeySpec k;
  k.name = std::move(name);
  k.type = type;
  k.description = std::move(description);
  return k;
}

/// The declared keys of one connector's `config:` block (or of a nested object).
class Schema {
 public:
  Schema& Add(KeySpec key) { keys_.push_back(std::move(key)); return *this; }
  const std::vector<KeySpec>& keys() const { return keys_; }
  const KeySpec* Find(std::string_view name) const;

 private:
  std::vector<KeySpec> keys_;
};

/// A `config:` block bound against its Schema: every declared key has its YAML value or its
/// default, typed and range-checked. Getters name only declared keys (asking for an undeclared
/// key or the wrong type is a programming error and asserts). Immutable; cheap to copy.
class BoundConfig {
 public:
  struct Value;
  BoundConfig();
  ~BoundConfig();
  BoundConfig(const BoundConfig&);
  BoundConfig& operator=(const BoundConfig&);
  BoundConfig(BoundConfig&&) noexcept;
  BoundConfig& operator=(BoundConfig&&) noexcept;

  /// True when the key was given in YAML or has a default.
  bool Has(std::string_view key) const;
  /// True only when the key was written in the YAML file.
  bool IsSet(std::string_view key) const;
  /// A key that is neither written nor defaulted reads as its type's empty value ("", 0,
  /// false, {}); Has() and the Optional getters tell the difference.
  std::string GetString(std::string_view key) const;
  std::optional<std::string> GetOptionalString(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  std::optional<int64_t> GetOptionalInt(std::string_view key) const;
  double GetDouble(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  std::vector<std::string> GetStringList(std::string_view key) const;
  std::vector<std::pair<std::string, std::string>> GetStringMap(std::string_view key) const;
  /// A nested kObject key; an absent object binds to its children's defaults.
  BoundConfig GetObject(std::string_view key) const;
  /// kAny keys (and any key): the resolved YAML node, or nullptr when absent.
  const Node* Raw(std::string_view key) const;
  /// Dotted path of this block, e.g. "sources.demo.config".
  const std::string& path() const;
  /// Position of a key (for runtime errors that name the YAML line), or the block's mark.
  Mark MarkOf(std::string_view key) const;

 private:
  friend class Binder;
  std::shared_ptr<const std::map<std::string, Value, std::less<>>> values_;  // shared: immutable
  std::string path_;
  Mark mark_;
};

/// Binds `node` (a map, or null for "no config given") against `schema`. Every problem is added
/// to `diags` with its path and line:column: unknown keys (with a did-you-mean), missing required
/// keys, wrong types, out-of-range numbers, values not in `allowed`. Returns a usable
/// BoundConfig even when errors were found (so callers can keep checking other blocks); the
/// caller decides from `diags` whether to proceed.
BoundConfig Bind(const Schema& schema, const Node* node, const std::string& path, Mark mark,
                 Diagnostics* diags);

/// JSON Schema (draft 2020-12) of a connector's config block, for `spec NAME`.
std::string ToJsonSchema(const Schema& schema, const std::string& title,
                         const std::string& description);
/// A Markdown table of the keys (name, type, required, default, description), for docs.
std::string ToMarkdownTable(const Schema& schema);

}  // namespace rivven::config
