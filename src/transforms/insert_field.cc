#include "transforms/insert_field.h"

#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "config/scalars.h"
#include "transforms/expr/expression.h"
#include "transforms/json_path.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::Node;
using config::ValueType;

struct StaticField {
  JsonPath path;
  rapidjson::Value value;  ///< strings refer to InsertField::strings_ (copied by reference)
};

struct ComputedField {
  JsonPath path;
  Expression expression;
};

/// "2024-05-01T12:34:56.789Z" for epoch milliseconds (proleptic Gregorian, UTC).
std::string FormatIsoMs(TimestampMs ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  const int64_t in_day = ms - days * 86400000;
  // Civil-from-days (Howard Hinnant's algorithm).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(in_day / 3600000),
                static_cast<long long>(in_day / 60000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return buf;
}

/// Adds fields to the value. Built once; Apply runs on one thread at a time (it reuses
/// scratch state between records).
class InsertField final : public Transform {
 public:
  struct Options {
    std::unique_ptr<JsonAllocator> pool = std::make_unique<JsonAllocator>();  ///< statics' arrays
    std::vector<StaticField> statics;
    std::deque<std::string> strings;  ///< storage of the static strings (stable addresses)
    std::vector<ComputedField> computed;
    std::optional<JsonPath> topic, partition, offset, timestamp;
    bool timestamp_epoch_ms = false;
  };

  explicit InsertField(Options o) : o_(std::move(o)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    RC_ASSIGN_OR_RETURN(rapidjson::Value * value, ValueObject(record));
    if (value == nullptr) return Outcome::kKeep;
    auto& alloc = record.allocator();
    // Every expression sees the value as it arrived, before any insertion.
    computed_values_.clear();
    for (const ComputedField& c : o_.computed) {
      rapidjson::Value v;
      c.expression.EvaluateToDom(record, &v);
      computed_values_.push_back(std::move(v));
    }
    for (const StaticField& s : o_.statics) {
      rapidjson::Value copy(s.value, alloc);  // strings are shared, not copied
      RC_RETURN_IF_ERROR(Put(*value, s.path, copy, alloc));
    }
    for (size_t i = 0; i < o_.computed.size(); ++i) {
      RC_RETURN_IF_ERROR(Put(*value, o_.computed[i].path, computed_values_[i], alloc));
    }
    if (o_.topic) {
      const std::string_view topic = record.topic();
      rapidjson::Value v(topic.data(), static_cast<rapidjson::SizeType>(topic.size()), alloc);
      RC_RETURN_IF_ERROR(Put(*value, *o_.topic, v, alloc));
    }
    // Source side: the record is not stored yet, so it has no partition or offset.
    if (o_.partition && record.partition() >= 0) {
      rapidjson::Value v(record.partition());
      RC_RETURN_IF_ERROR(Put(*value, *o_.partition, v, alloc));
    }
    if (o_.offset && record.offset() >= 0) {
      rapidjson::Value v(static_cast<int64_t>(record.offset()));
      RC_RETURN_IF_ERROR(Put(*value, *o_.offset, v, alloc));
    }
    if (o_.timestamp) {
      const TimestampMs now = NowMs();
      rapidjson::Value v;
      if (o_.timestamp_epoch_ms) {
        v.SetInt64(now);
      } else {
        if (now != last_ms_ || last_iso_.empty()) {
          last_ms_ = now;
          last_iso_ = FormatIsoMs(now);
        }
        v.SetString(last_iso_.data(), static_cast<rapidjson::SizeType>(last_iso_.size()), alloc);
      }
      RC_RETURN_IF_ERROR(Put(*value, *o_.timestamp, v, alloc));
    }
    record.MarkValueChanged();
    return Outcome::kKeep;
  }

 private:
  static Status Put(rapidjson::Value& root, const JsonPath& path, rapidjson::Value& v,
                    JsonAllocator& alloc) {
    if (SetPath(root, path, v, alloc)) return Status::Ok();
    return Status::InvalidArgument("cannot insert '" + path.text() +
                                   "': a parent field is not an object");
  }

  Options o_;
  std::vector<rapidjson::Value> computed_values_;
  TimestampMs last_ms_ = 0;
  std::string last_iso_;
};

// A YAML scalar typed the way YAML's core schema reads it: quoted text is a string; unquoted
// null/~, true/false, integers and decimals keep their type; anything else is a string.
void ScalarToJson(const Node& node, rapidjson::Value* out, std::deque<std::string>* strings) {
  const std::string& s = node.scalar;
  if (!node.quoted) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
      out->SetNull();
      return;
    }
    if (s == "true" || s == "True" || s == "TRUE") return out->SetBool(true), void();
    if (s == "false" || s == "False" || s == "FALSE") return out->SetBool(false), void();
    if (auto i = config::ParseYamlInt(s)) return out->SetInt64(*i), void();
    if (auto d = config::ParseYamlDouble(s)) return out->SetDouble(*d), void();
  }
  strings->push_back(s);
  out->SetString(rapidjson::StringRef(strings->back().data(), strings->back().size()));
}

void NodeToJson(const Node& node, rapidjson::Value* out, JsonAllocator& alloc,
                std::deque<std::string>* strings) {
  switch (node.kind) {
    case Node::Kind::kNull:
      out->SetNull();
      return;
    case Node::Kind::kScalar:
      ScalarToJson(node, out, strings);
      return;
    case Node::Kind::kSequence:
      out->SetArray();
      for (const Node& item : node.items) {
        rapidjson::Value v;
        NodeToJson(item, &v, alloc, strings);
        out->PushBack(v, alloc);
      }
      return;
    case Node::Kind::kMap:
      out->SetObject();
      for (const auto& [key, item] : node.entries) {
        strings->push_back(key);
        rapidjson::Value name(rapidjson::StringRef(strings->back().data(), key.size()));
        rapidjson::Value v;
        NodeToJson(item, &v, alloc, strings);
        out->AddMember(name, v, alloc);
      }
      return;
  }
}

// `X.field` (Kafka Connect's spelling) or `X: {field: ...}` (nested YAML); at most one of them.
Result<std::optional<JsonPath>> FieldOption(const config::BoundConfig& c, const std::string& x) {
  const std::string flat = x + ".field";
  std::optional<std::string> name = c.GetOptionalString(flat);
  if (c.IsSet(x)) {
    if (name) {
      return Status::InvalidArgument(x + ": set either '" + flat + "' or '" + x +
                                     ".field' nested under '" + x + "', not both");
    }
    name = c.GetObject(x).GetOptionalString("field");
  }
  if (!name) return std::optional<JsonPath>();
  JsonPath path(*name);
  if (!path.error().empty()) return Status::InvalidArgument(flat + ": " + path.error());
  return std::optional<JsonPath>(std::move(path));
}

Result<std::unique_ptr<Transform>> Make(const config::BoundConfig& c) {
  InsertField::Options o;
  if (const Node* statics = c.Raw("static"); statics != nullptr && !statics->IsNull()) {
    if (!statics->IsMap()) return Status::InvalidArgument("static: expected a map of field: value");
    for (const auto& [name, node] : statics->entries) {
      StaticField f{JsonPath(name), rapidjson::Value()};
      if (!f.path.error().empty()) return Status::InvalidArgument("static: " + f.path.error());
      NodeToJson(node, &f.value, *o.pool, &o.strings);
      o.statics.push_back(std::move(f));
    }
  }
  if (const Node* computed = c.Raw("computed"); computed != nullptr && !computed->IsNull()) {
    if (!computed->IsMap()) {
      return Status::InvalidArgument("computed: expected a map of field: \"<expression>\"");
    }
    for (const auto& [name, node] : computed->entries) {
      JsonPath path(name);
      if (!path.error().empty()) return Status::InvalidArgument("computed: " + path.error());
      if (!node.IsScalar()) {
        return Status::InvalidArgument("computed: '" + name + "' must be an expression string");
      }
      auto compiled = Expression::Compile(node.scalar);
      if (!compiled.ok()) {
        return Status::InvalidArgument("computed: '" + name + "': " + compiled.status().message());
      }
      o.computed.push_back(ComputedField{std::move(path), std::move(compiled).value()});
    }
  }
  for (const char* x : {"topic", "partition", "offset", "timestamp"}) {
    RC_ASSIGN_OR_RETURN(std::optional<JsonPath> path, FieldOption(c, x));
    if (std::string_view(x) == "topic") o.topic = std::move(path);
    if (std::string_view(x) == "partition") o.partition = std::move(path);
    if (std::string_view(x) == "offset") o.offset = std::move(path);
    if (std::string_view(x) == "timestamp") o.timestamp = std::move(path);
  }
  std::string format = c.GetString("timestamp.format");
  if (c.IsSet("timestamp")) {
    const config::BoundConfig nested = c.GetObject("timestamp");
    if (nested.IsSet("format")) format = nested.GetString("format");
  }
  o.timestamp_epoch_ms = format == "epoch_ms";
  if (c.IsSet("timestamp.format") && !o.timestamp) {
    return Status::InvalidArgument("timestamp.format: set timestamp.field too");
  }
  if (o.statics.empty() && o.computed.empty() && !o.topic && !o.partition && !o.offset &&
      !o.timestamp) {
    return Status::InvalidArgument(
        "nothing to insert: set static, computed, timestamp.field, topic.field, partition.field "
        "or offset.field");
  }
  return std::unique_ptr<Transform>(std::make_unique<InsertField>(std::move(o)));
}

}  // namespace

void RegisterInsertField(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "InsertField";
  d.description =
      "Adds fields to the value: `static` values (typed as YAML reads them: numbers and booleans "
      "stay numbers and booleans, quoted text is a string), `computed` fields (an expression "
      "of the filter language each, evaluated on the value as it arrived), the processing time, "
      "and the record's topic, partition and offset. Partition and offset exist only on the "
      "sink side (a source's record is not stored yet), so a source's chain does not insert "
      "them. An existing field of the same name is replaced; field names may be dotted paths. "
      "Order: static, computed, topic, partition, offset, timestamp. Tombstones pass "
      "through.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: InsertField\n"
      "    config:\n"
      "      static:\n"
      "        source: \"rivven\"\n"
      "        schema_version: 2\n"
      "      computed:\n"
      "        total_cents: \"value.total * 100\"\n"
      "      timestamp:\n"
      "        field: processed_at        # \"2024-05-01T12:34:56.789Z\"\n"
      "      topic.field: source_topic\n"
      "```";
  d.schema.Add(Key("static", ValueType::kAny, "Map of field -> value to insert in every record."));
  d.schema.Add(Key("computed", ValueType::kAny,
                   "Map of field -> expression; the field gets the expression's value."));
  d.schema.Add(Key("timestamp.field", ValueType::kString,
                   "Field for the processing time (when the transform ran)."));
  d.schema.Add(Key("timestamp.format", ValueType::kString,
                   "How the processing time is written: `iso8601` (UTC, milliseconds) or "
                   "`epoch_ms`.")
                   .Default("iso8601")
                   .OneOf({"iso8601", "epoch_ms"}));
  d.schema.Add(Key("timestamp", ValueType::kObject,
                   "The same as timestamp.field / timestamp.format, written nested.")
                   .Child(Key("field", ValueType::kString, "Field for the processing time."))
                   .Child(Key("format", ValueType::kString, "iso8601 or epoch_ms.")
                              .Default("iso8601")
                              .OneOf({"iso8601", "epoch_ms"})));
  for (const char* x : {"topic", "partition", "offset"}) {
    const std::string name = x;
    d.schema.Add(Key(name + ".field", ValueType::kString, "Field for the record's " + name + "."));
    d.schema.Add(
        Key(name, ValueType::kObject, "The same as " + name + ".field, written nested.")
            .Child(Key("field", ValueType::kString, "Field for the record's " + name + ".")));
  }
  d.make = Make;
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
