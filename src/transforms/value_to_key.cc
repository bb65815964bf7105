#include "transforms/value_to_key.h"

#include <utility>
#include <vector>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

/// Replaces the key with {field: value.field, ...}. Built once from config; Apply runs on the
/// chain's thread.
class ValueToKey final : public Transform {
 public:
  explicit ValueToKey(std::vector<JsonPath> fields) : fields_(std::move(fields)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    RC_ASSIGN_OR_RETURN(rapidjson::Value * value, SideJson(record, Side::kValue));
    // A tombstone has no fields to copy; it keeps its key, so the delete still compacts the
    // right key.
    if (value == nullptr) return Outcome::kKeep;
    if (!value->IsObject()) {
      return Status::InvalidArgument("ValueToKey: the value is not a JSON object: " +
                                     Shown(*value));
    }
    auto& alloc = record.allocator();
    rapidjson::Value key(rapidjson::kObjectType);
    for (const JsonPath& field : fields_) {
      const rapidjson::Value* found = GetPath(*value, field);
      // A missing field is a null member, as in Kafka Connect (the key keeps its shape).
      rapidjson::Value copy;
      if (found != nullptr) copy.CopyFrom(*found, alloc);
      const bool set = SetPath(key, field, copy, alloc);
      if (!set) {
        return Status::InvalidArgument("ValueToKey: field '" + field.text() +
                                       "' clashes with another field of the key");
      }
    }
    record.SetKey(std::move(key));
    return Outcome::kKeep;
  }

 private:
  std::vector<JsonPath> fields_;
};

}  // namespace

TransformDescriptor ValueToKeyDescriptor() {
  TransformDescriptor d;
  d.type = "ValueToKey";
  d.description =
      "Replaces the record key with an object of fields copied from the value (Kafka Connect's "
      "ValueToKey), e.g. to key a stream by customer before a compacted topic or a join. "
      "Fields are dotted paths into nested objects (`a\\.b` for a dot inside a name); a nested "
      "field keeps its nesting in the key; a missing field becomes null. A tombstone keeps its "
      "key; a value that is not a JSON object fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: ValueToKey\n"
      "    config:\n"
      "      fields: [customer_id, address.country]\n"
      "# value {\"customer_id\": 7, \"address\": {\"country\": \"DE\"}, \"total\": 12}\n"
      "# key   {\"customer_id\": 7, \"address\": {\"country\": \"DE\"}}\n"
      "```";
  d.schema.Add(config::Key("fields", config::ValueType::kStringList,
                           "Value fields that make up the key, in order (a list, or a "
                           "comma-separated string).")
                   .Required());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    std::vector<JsonPath> fields;
    for (const std::string& f : ListItems(bound, "fields")) {
      RC_ASSIGN_OR_RETURN(JsonPath path, ConfigPath(bound, "fields", f));
      fields.push_back(std::move(path));
    }
    if (fields.empty()) {
      return Status::InvalidArgument("fields: name at least one field");
    }
    return std::unique_ptr<Transform>(std::make_unique<ValueToKey>(std::move(fields)));
  };
  return d;
}

void RegisterValueToKey(TransformRegistry& registry) { registry.Add(ValueToKeyDescriptor()); }

}  // namespace rivven::transforms
