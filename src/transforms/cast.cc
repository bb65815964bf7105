#include "transforms/cast.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/node.h"
#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

enum class CastType { kInt8, kInt16, kInt32, kInt64, kFloat32, kFloat64, kBoolean, kString };

struct TypeName {
  std::string_view name;
  CastType type;
};
constexpr TypeName kTypes[] = {
    {"int8", CastType::kInt8},       {"int16", CastType::kInt16},
    {"int32", CastType::kInt32},     {"int64", CastType::kInt64},
    {"float32", CastType::kFloat32}, {"float64", CastType::kFloat64},
    {"boolean", CastType::kBoolean}, {"string", CastType::kString},
};
constexpr std::string_view kTypeList =
    "int8, int16, int32, int64, float32, float64, boolean, string";

std::optional<CastType> ParseType(std::string_view name) {
  for (const TypeName& t : kTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

std::string_view NameOf(CastType type) {
  for (const TypeName& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "?";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The double nearest the float32 nearest `d`, chosen so it prints as the float does: 1.1 stays
// 1.1 rather than becoming 1.100000023841858.
std::optional<double> RoundToFloat32(double d) {
  const float f = static_cast<float>(d);
  if (!std::isfinite(f)) return std::nullopt;
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof(buf), f).ptr;
  double back = 0;
  std::from_chars(buf, end, back);
  return back;
}

struct IntRange {
  int64_t min, max;
};

IntRange RangeOf(CastType type) {
  switch (type) {
    case CastType::kInt8:
      return {INT8_MIN, INT8_MAX};
    case CastType::kInt16:
      return {INT16_MIN, INT16_MAX};
    case CastType::kInt32:
      return {INT32_MIN, INT32_MAX};
    default:
      return {INT64_MIN, INT64_MAX};
  }
}

/// Casts `v` in place; false when it cannot be represented in `type` (the caller reports).
bool CastValue(rapidjson::Value& v, CastType type, RecordContext& record) {
  if (v.IsNull()) return true;  // null stays null, as in Kafka Connect
  switch (type) {
    case CastType::kInt8:
    case CastType::kInt16:
    case CastType::kInt32:
    case CastType::kInt64: {
      int64_t i = 0;
      if (v.IsInt64()) {
        i = v.GetInt64();
      } else if (v.IsUint64()) {
        return false;  // above INT64_MAX
      } else if (v.IsDouble()) {
        // Truncates toward zero like Java's Number.longValue(), but out of range is an error
        // instead of a wrapped value.
        const double d = std::trunc(v.GetDouble());
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
        i = static_cast<int64_t>(d);
      } else if (v.IsBool()) {
        i = v.GetBool() ? 1 : 0;
      } else if (v.IsString()) {
        std::string_view s = StringView(v);
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return false;
      } else {
        return false;
      }
      const IntRange r = RangeOf(type);
      if (i < r.min || i > r.max) return false;
      v.SetInt64(i);
      return true;
    }
    case CastType::kFloat32:
    case CastType::kFloat64: {
      double d = 0;
      if (v.IsNumber()) {
        d = v.GetDouble();
      } else if (v.IsBool()) {
        d = v.GetBool() ? 1.0 : 0.0;
      } else if (v.IsString()) {
        std::string_view s = StringView(v);
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) {
          return false;
        }
      } else {
        return false;
      }
      if (type == CastType::kFloat32) {
        const auto f = RoundToFloat32(d);
        if (!f) return false;
        d = *f;
      }
      v.SetDouble(d);
      return true;
    }
    case CastType::kBoolean:
      if (v.IsBool()) return true;
      if (v.IsNumber()) {
        v.SetBool(v.GetDouble() != 0.0);
        return true;
      }
      if (v.IsString()) {
        const std::string_view s = StringView(v);
        if (EqualsIgnoreCase(s, "true") || EqualsIgnoreCase(s, "false")) {
          v.SetBool(EqualsIgnoreCase(s, "true"));
          return true;
        }
      }
      return false;
    case CastType::kString: {
      if (v.IsString()) return true;
      const std::string text = JsonText(v);  // 12, 1.5, true, or an object's compact JSON
      v.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), record.allocator());
      return true;
    }
  }
  return false;
}

struct FieldCast {
  JsonPath field;
  CastType type;
};

/// Casts fields of one side of the record, or the whole side. Built once from config; Apply
/// runs on the chain's thread.
class Cast final : public Transform {
 public:
  Cast(std::vector<FieldCast> fields, std::optional<CastType> whole, Side side)
      : fields_(std::move(fields)), whole_(whole), side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    if (!json.ok()) return json.status().WithContext("Cast");
    rapidjson::Value* root = *json;
    if (root == nullptr) return Outcome::kKeep;
    if (whole_) {
      const std::string before = Shown(*root);
      if (!CastValue(*root, *whole_, record)) {
        return Status::InvalidArgument("Cast: cannot cast the " + std::string(SideName(side_)) +
                                       " " + before + " to " + std::string(NameOf(*whole_)));
      }
      MarkSideChanged(record, side_);
      return Outcome::kKeep;
    }
    if (!root->IsObject()) {
      return Status::InvalidArgument(std::string("Cast: the ") + SideName(side_) +
                                     " is not a JSON object: " + Shown(*root));
    }
    for (const FieldCast& f : fields_) {
      rapidjson::Value* v = GetPath(*root, f.field);
      if (v == nullptr) continue;  // a missing field stays missing
      if (!CastValue(*v, f.type, record)) {
        return Status::InvalidArgument("Cast: field '" + f.field.text() + "': cannot cast " +
                                       Shown(*v) + " to " + std::string(NameOf(f.type)));
      }
    }
    MarkSideChanged(record, side_);
    return Outcome::kKeep;
  }

 private:
  std::vector<FieldCast> fields_;
  std::optional<CastType> whole_;
  Side side_;
};

Status UnknownType(const config::BoundConfig& bound, std::string_view type) {
  return Status::InvalidArgument("spec: unknown type '" + std::string(type) +
                                 "' (expected one of " + std::string(kTypeList) + ")");
}

Result<std::unique_ptr<Transform>> MakeCast(const config::BoundConfig& bound) {
  const config::Node* spec = bound.Raw("spec");
  std::vector<std::pair<std::string, std::string>> pairs;  // field -> type
  std::optional<CastType> whole;
  if (spec != nullptr && spec->IsMap()) {
    for (const auto& [field, type] : spec->entries) {
      if (!type.IsScalar()) {
        return Status::InvalidArgument("spec: field '" + field + "': expected a type name");
      }
      pairs.emplace_back(field, type.scalar);
    }
  } else if (spec != nullptr && spec->IsScalar()) {
    const std::string_view text = spec->scalar;
    if (text.find(':') == std::string_view::npos) {
      // "int64": the whole value (Kafka Connect's single-type spec).
      whole = ParseType(Trim(text));
      if (!whole) return UnknownType(bound, Trim(text));
    } else {
      std::string_view rest = text;
      while (true) {
        const size_t comma = rest.find(',');
        const std::string_view item = Trim(rest.substr(0, comma));
        const size_t colon = item.rfind(':');
        if (colon == std::string_view::npos) {
          return Status::InvalidArgument("spec: '" + std::string(item) + "' is not field:type");
        }
        pairs.emplace_back(Trim(item.substr(0, colon)), Trim(item.substr(colon + 1)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  } else {
    return Status::InvalidArgument(
        "spec: expected a map of field: type, a \"field:type,...\" "
        "string or a single type");
  }
  std::vector<FieldCast> fields;
  for (const auto& [field, type_name] : pairs) {
    const auto type = ParseType(type_name);
    if (!type) return UnknownType(bound, type_name);
    RC_ASSIGN_OR_RETURN(JsonPath path, ConfigPath(bound, "spec", field));
    fields.push_back(FieldCast{std::move(path), *type});
  }
  if (!whole && fields.empty()) {
    return Status::InvalidArgument("spec: name at least one field to cast");
  }
  return std::unique_ptr<Transform>(
      std::make_unique<Cast>(std::move(fields), whole, SideOf(bound)));
}

}  // namespace

TransformDescriptor CastDescriptor() {
  TransformDescriptor d;
  d.type = "Cast";
  d.description =
      "Casts fields of the value (or, with `side: key`, the key) to int8, int16, int32, int64, "
      "float32, float64, boolean or string (Kafka Connect's Cast$Value / $Key). `spec` is a "
      "map of field: type, the Kafka Connect string \"field:type,field:type\", or a single "
      "type that casts the whole value. Fields are dotted paths; a missing field is skipped and "
      "null stays null. Numbers truncate toward zero when cast to an integer type; strings "
      "are parsed strictly (\"12\" -> 12, \"1.5\" -> 1.5, \"true\"/\"false\" in any case -> "
      "boolean); anything cast to string gives its JSON text (12 -> \"12\", {\"a\":1} -> "
      "\"{\\\"a\\\":1}\"). A value that does not fit (\"abc\" to int32, 300 to int8) fails the "
      "record with the field and the value.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: Cast\n"
      "    config:\n"
      "      spec: {amount: float64, quantity: int32, customer.vip: boolean}\n"
      "  - type: Cast\n"
      "    config: {spec: \"id:string\", side: key}\n"
      "```";
  d.schema.Add(config::Key("spec", config::ValueType::kAny,
                           "What to cast: a map field: type, a \"field:type,...\" string, or one "
                           "type for the whole value. Types: int8, int16, int32, int64, float32, "
                           "float64, boolean, string.")
                   .Required());
  d.schema.Add(SideKey());
  d.make = MakeCast;
  return d;
}

void RegisterCast(TransformRegistry& registry) { registry.Add(CastDescriptor()); }

}  // namespace rivven::transforms
