#include "config/schema.h"

#include <cstdio>

#include "base/status.h"
#include "config/scalars.h"

namespace rivven::config {

/// One bound key. Holds every representation; `type` says which one is meaningful.
struct BoundConfig::Value {
  ValueType type = ValueType::kString;
  bool set = false;      // bound from the YAML file
  bool present = false;  // set, or filled from the default
  std::string text;
  int64_t int_value = 0;
  double double_value = 0;
  bool bool_value = false;
  std::vector<std::string> list;
  std::vector<std::pair<std::string, std::string>> map;
  std::optional<BoundConfig> object;
  std::optional<Node> raw;  // the YAML node as written (any type), for Raw()
  Mark mark;
};

const KeySpec* Schema::Find(std::string_view name) const {
  for (const KeySpec& key : keys_) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

namespace {

const char* TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "a string";
    case ValueType::kInt: return "an integer";
    case ValueType::kDouble: return "a number";
    case ValueType::kBool: return "a boolean (true/false)";
    case ValueType::kStringList: return "a list of strings";
    case ValueType::kStringMap: return "a map of strings";
    case ValueType::kObject: return "a map";
    case ValueType::kAny: return "any value";
  }
  return "a value";
}

// What the user wrote, for "expected X, got Y". A secret's text is never shown.
std::string Describe(const Node& node, bool secret) {
  switch (node.kind) {
    case Node::Kind::kNull: return "null";
    case Node::Kind::kSequence: return "a sequence";
    case Node::Kind::kMap: return "a map";
    case Node::Kind::kScalar: return "'" + (secret ? std::string("***") : node.scalar) + "'";
  }
  return "a value";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

/// Does the one pass over a block that finds every problem. Friend of BoundConfig so it can fill
/// the shared value map; also serves the getters' lookup.
class Binder {
 public:
  using ValueMap = std::map<std::string, BoundConfig::Value, std::less<>>;

  explicit Binder(Diagnostics* diags) : diags_(diags) {}

  // `report_missing` is false for an optional object that was not written: its required
  // children are only required once the object itself is given.
  BoundConfig BindObject(const std::vector<KeySpec>& keys, const Node* node,
                         const std::string& path, Mark mark, bool report_missing) {
    auto values = std::make_shared<ValueMap>();
    const Mark block_mark = mark.line > 0 ? mark : (node ? node->mark : Mark{});
    if (node != nullptr && !node->IsNull() && !node->IsMap()) {
      Error(path, node->mark, "expected a map, got " + Describe(*node, false));
      node = nullptr;
    }
    // Written keys first, in file order, so problems come out in the order a user reads them;
    // then the declared keys that were not written (defaults, missing required keys).
    std::vector<bool> done(keys.size(), false);
    if (node != nullptr && node->IsMap()) {
      for (size_t i = 0; i < node->entries.size(); ++i) {
        const auto& [name, child] = node->entries[i];
        const Mark key_mark = i < node->key_marks.size() ? node->key_marks[i] : node->mark;
        size_t k = 0;
        while (k < keys.size() && keys[k].name != name) ++k;
        if (k == keys.size()) {
          ReportUnknownKey(keys, name, JoinPath(path, name), key_mark);
        } else if (!done[k]) {
          done[k] = true;
          BindKey(keys[k], &child, path, key_mark, block_mark, report_missing, values.get());
        }
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      if (!done[k]) {
        BindKey(keys[k], nullptr, path, block_mark, block_mark, report_missing, values.get());
      }
    }
    BoundConfig bound;
    bound.values_ = std::move(values);
    bound.path_ = path;
    bound.mark_ = block_mark;
    return bound;
  }

  static const BoundConfig::Value& Lookup(const BoundConfig& config, std::string_view key,
                                          std::initializer_list<ValueType> types) {
    const BoundConfig::Value* v = nullptr;
    if (config.values_) {
      const auto it = config.values_->find(key);
      if (it != config.values_->end()) v = &it->second;
    }
    if (v == nullptr) {
      std::fprintf(stderr, "config key '%.*s' is not declared in the schema of '%s'\n",
                   static_cast<int>(key.size()), key.data(), config.path_.c_str());
    }
    RC_ASSERT(v != nullptr);
    bool type_ok = types.size() == 0;
    for (ValueType t : types) type_ok = type_ok || v->type == t;
    if (!type_ok) {
      std::fprintf(stderr, "config key '%s.%.*s' read as the wrong type\n", config.path_.c_str(),
                   static_cast<int>(key.size()), key.data());
    }
    RC_ASSERT(type_ok);
    return *v;
  }

 private:
  void Error(const std::string& path, Mark mark, std::string message) {
    if (diags_ != nullptr) diags_->Add(path, mark, std::move(message));
  }

  // Binds one declared key; `child` is the written node or nullptr when the key is absent.
  void BindKey(const KeySpec& spec, const Node* child, const std::string& path, Mark key_mark,
               Mark block_mark, bool report_missing, ValueMap* values) {
    const std::string child_path = JoinPath(path, spec.name);
    BoundConfig::Value& v = (*values)[spec.name];
    v.type = spec.type;
    v.mark = key_mark;
    if (child != nullptr) v.raw = *child;
    const bool given = child != nullptr && !child->IsNull();
    if (spec.type == ValueType::kObject) {
      if (!given && spec.required && report_missing) Missing(spec, child, path, block_mark);
      v.object = BindObject(spec.children, given ? child : nullptr, child_path, key_mark,
                            report_missing && given);
      v.set = given;
      v.present = true;
      return;
    }
    if (given && BindValue(spec, *child, child_path, &v)) {
      v.set = true;
      v.present = true;
      return;
    }
    if (!given && spec.required && report_missing) Missing(spec, child, path, block_mark);
    ApplyDefault(spec, &v);
  }

  void ReportUnknownKey(const std::vector<KeySpec>& keys, const std::string& key,
                        const std::string& path, Mark mark) {
    std::vector<std::string> names;
    for (const KeySpec& k : keys) names.push_back(k.name);
    std::string message = "unknown key '" + key + "'";
    const std::string suggestion = DidYouMean(key, names);
    if (!suggestion.empty()) {
      message += " (did you mean '" + suggestion + "'?)";
    } else if (!names.empty()) {
      message += " (known keys: " + JoinNames(names) + ")";
    } else {
      message += " (this block takes no keys)";
    }
    Error(path, mark, std::move(message));
  }

  void Missing(const KeySpec& spec, const Node* written_null, const std::string& path,
               Mark block_mark) {
    if (written_null != nullptr) {
      Error(JoinPath(path, spec.name), written_null->mark,
            "required key '" + spec.name + "' has no value");
    } else {
      Error(path, block_mark, "missing required key '" + spec.name + "'");
    }
  }

  // Checks `allowed`, with a did-you-mean for near misses ("jsno" -> "json").
  bool CheckAllowed(const KeySpec& spec, const std::string& value, const std::string& path,
                    Mark mark) {
    if (spec.allowed.empty()) return true;
    for (const std::string& a : spec.allowed) {
      if (a == value) return true;
    }
    std::string message = "invalid value '" + (spec.secret ? std::string("***") : value) +
                          "': must be one of: " + JoinNames(spec.allowed);
    const std::string suggestion = spec.secret ? std::string() : DidYouMean(value, spec.allowed);
    if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
    Error(path, mark, std::move(message));
    return false;
  }

  bool CheckRange(const KeySpec& spec, double value, const std::string& path, Mark mark) {
    const bool low = spec.min && value < *spec.min;
    const bool high = spec.max && value > *spec.max;
    if (!low && !high) return true;
    const std::string got = spec.secret ? std::string("***") : FormatNumber(value);
    std::string message;
    if (spec.min && spec.max) {
      message = "must be between " + FormatNumber(*spec.min) + " and " + FormatNumber(*spec.max);
    } else if (low) {
      message = "must be at least " + FormatNumber(*spec.min);
    } else {
      message = "must be at most " + FormatNumber(*spec.max);
    }
    Error(path, mark, message + ", got " + got);
    return false;
  }

  bool TypeError(const KeySpec& spec, const Node& node, const std::string& path) {
    Error(path, node.mark,
          std::string("expected ") + TypeName(spec.type) + ", got " + Describe(node, spec.secret));
    return false;
  }

  // Binds one written, non-null value. False (after reporting) when it cannot be used.
  bool BindValue(const KeySpec& spec, const Node& node, const std::string& path,
                 BoundConfig::Value* v) {
    switch (spec.type) {
      case ValueType::kString:
        if (!node.IsScalar()) return TypeError(spec, node, path);
        if (!CheckAllowed(spec, node.scalar, path, node.mark)) return false;
        v->text = node.scalar;
        return true;
      case ValueType::kInt: {
        // Quoted "10" is accepted too: users quote numbers, and Kafka Connect takes them.
        const auto i = node.IsScalar() ? ParseYamlInt(node.scalar) : std::nullopt;
        if (!i) return TypeError(spec, node, path);
        if (!CheckRange(spec, static_cast<double>(*i), path, node.mark)) return false;
        v->int_value = *i;
        return true;
      }
      case ValueType::kDouble: {
        const auto d = node.IsScalar() ? ParseYamlDouble(node.scalar) : std::nullopt;
        if (!d) return TypeError(spec, node, path);
        if (!CheckRange(spec, *d, path, node.mark)) return false;
        v->double_value = *d;
        return true;
      }
      case ValueType::kBool: {
        const auto b = node.IsScalar() ? ParseYamlBool(node.scalar) : std::nullopt;
        if (!b) return TypeError(spec, node, path);
        v->bool_value = *b;
        return true;
      }
      case ValueType::kStringList:
        return BindList(spec, node, path, v);
      case ValueType::kStringMap:
        return BindMap(spec, node, path, v);
      case ValueType::kAny:
        return true;  // Raw() serves it
      case ValueType::kObject:
        break;  // bound by BindObject
    }
    return false;
  }

  bool BindList(const KeySpec& spec, const Node& node, const std::string& path,
                BoundConfig::Value* v) {
    if (node.IsScalar()) {
      if (!CheckAllowed(spec, node.scalar, path, node.mark)) return false;
      v->list = {node.scalar};
      return true;
    }
    if (!node.IsSequence()) return TypeError(spec, node, path);
    bool ok = true;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node& item = node.items[i];
      const std::string item_path = IndexPath(path, i);
      if (!item.IsScalar()) {
        Error(item_path, item.mark, "expected a string, got " + Describe(item, spec.secret));
        ok = false;
      } else if (CheckAllowed(spec, item.scalar, item_path, item.mark)) {
        v->list.push_back(item.scalar);
      } else {
        ok = false;
      }
    }
    if (!ok) v->list.clear();
    return ok;
  }

  bool BindMap(const KeySpec& spec, const Node& node, const std::string& path,
               BoundConfig::Value* v) {
    if (!node.IsMap()) return TypeError(spec, node, path);
    bool ok = true;
    for (const auto& [key, value] : node.entries) {
      if (value.IsScalar() || value.IsNull()) {
        v->map.emplace_back(key, value.scalar);
      } else {
        Error(JoinPath(path, key), value.mark,
              "expected a string, got " + Describe(value, spec.secret));
        ok = false;
      }
    }
    if (!ok) v->map.clear();
    return ok;
  }

  // Fills an absent (or unusable) value from its default. A default that does not parse as its
  // own type is a bug in the declaration, not user input.
  static void ApplyDefault(const KeySpec& spec, BoundConfig::Value* v) {
    v->set = false;
    v->present = spec.default_value.has_value();
    if (!spec.default_value) return;
    const std::string& d = *spec.default_value;
    switch (spec.type) {
      case ValueType::kString:
        v->text = d;
        break;
      case ValueType::kInt: {
        const auto i = ParseYamlInt(d);
        RC_ASSERT(i.has_value());
        v->int_value = *i;
        break;
      }
      case ValueType::kDouble: {
        const auto x = ParseYamlDouble(d);
        RC_ASSERT(x.has_value());
        v->double_value = *x;
        break;
      }
      case ValueType::kBool: {
        const auto b = ParseYamlBool(d);
        RC_ASSERT(b.has_value());
        v->bool_value = *b;
        break;
      }
      case ValueType::kStringList:
        v->list = SplitCommaList(d);
        break;
      case ValueType::kStringMap:
        RC_ASSERT(d.empty() || d == "{}");
        break;
      case ValueType::kAny:
        if (!v->raw) {
          Node scalar;
          scalar.kind = Node::Kind::kScalar;
          scalar.scalar = d;
          scalar.mark = v->mark;
          v->raw = std::move(scalar);
        }
        break;
      case ValueType::kObject:
        break;
    }
  }

  Diagnostics* diags_;
};

BoundConfig Bind(const Schema& schema, const Node* node, const std::string& path, Mark mark,
                 Diagnostics* diags) {
  return Binder(diags).BindObject(schema.keys(), node, path, mark, /*report_missing=*/true);
}

BoundConfig::BoundConfig()
    : values_(std::make_shared<const std::map<std::string, Value, std::less<>>>()) {}
BoundConfig::~BoundConfig() = default;
BoundConfig::BoundConfig(const BoundConfig&) = default;
BoundConfig& BoundConfig::operator=(const BoundConfig&) = default;
BoundConfig::BoundConfig(BoundConfig&&) noexcept = default;
BoundConfig& BoundConfig::operator=(BoundConfig&&) noexcept = default;

bool BoundConfig::Has(std::string_view key) const { return Binder::Lookup(*this, key, {}).present; }

bool BoundConfig::IsSet(std::string_view key) const { return Binder::Lookup(*this, key, {}).set; }

std::string BoundConfig::GetString(std::string_view key) const {
  return Binder::Lookup(*this, key, {ValueType::kString}).text;
}

std::optional<std::string> BoundConfig::GetOptionalString(std::string_view key) const {
  const Value& v = Binder::Lookup(*this, key, {ValueType::kString});
  if (!v.present) return std::nullopt;
  return v.text;
}

int64_t BoundConfig::GetInt(std::string_view key) const {
  return Binder::Lookup(*this, key, {ValueType::kInt}).int_value;
}

std::optional<int64_t> BoundConfig::GetOptionalInt(std::string_view key) const {
  const Value& v = Binder::Lookup(*this, key, {ValueType::kInt});
  if (!v.present) return std::nullopt;
  return v.int_value;
}

double BoundConfig::GetDouble(std::string_view key) const {
  const Value& v = Binder::Lookup(*this, key, {ValueType::kDouble, ValueType::kInt});
  return v.type == ValueType::kInt ? static_cast<double>(v.int_value) : v.double_value;
}

bool BoundConfig::GetBool(std::string_view key) const {
  return Binder::Lookup(*this, key, {ValueType::kBool}).bool_value;
}

std::vector<std::string> BoundConfig::GetStringList(std::string_view key) const {
  return Binder::Lookup(*this, key, {ValueType::kStringList}).list;
}

std::vector<std::pair<std::string, std::string>> BoundConfig::GetStringMap(
    std::string_view key) const {
  return Binder::Lookup(*this, key, {ValueType::kStringMap}).map;
}

BoundConfig BoundConfig::GetObject(std::string_view key) const {
  const Value& v = Binder::Lookup(*this, key, {ValueType::kObject});
  return v.object ? *v.object : BoundConfig();
}

const Node* BoundConfig::Raw(std::string_view key) const {
  const Value& v = Binder::Lookup(*this, key, {});
  return v.raw ? &*v.raw : nullptr;
}

const std::string& BoundConfig::path() const { return path_; }

Mark BoundConfig::MarkOf(std::string_view key) const {
  if (values_) {
    const auto it = values_->find(key);
    if (it != values_->end()) return it->second.mark;
  }
  return mark_;
}

}  // namespace rivven::config
