#include "transforms/extract_field.h"

#include <utility>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

/// Replaces one side of the record with the value of one of its fields. Built once from config;
/// Apply runs on the chain's thread.
class ExtractField final : public Transform {
 public:
  ExtractField(JsonPath field, Side side) : field_(std::move(field)), side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    if (!json.ok()) return json.status().WithContext("ExtractField");
    rapidjson::Value* root = *json;
    if (root == nullptr) return Outcome::kKeep;  // null stays null, as in Kafka Connect
    if (!root->IsObject()) {
      return Status::InvalidArgument(std::string("ExtractField: the ") + SideName(side_) +
                                     " is not a JSON object: " + Shown(*root));
    }
    rapidjson::Value* found = GetPath(*root, field_);
    rapidjson::Value extracted;
    if (found != nullptr) extracted = *found;  // RapidJSON assignment moves
    ReplaceSide(record, side_, std::move(extracted));
    return Outcome::kKeep;
  }

 private:
  JsonPath field_;
  Side side_;
};

}  // namespace

TransformDescriptor ExtractFieldDescriptor() {
  TransformDescriptor d;
  d.type = "ExtractField";
  d.description =
      "Replaces the value (or, with `side: key`, the key) with one of its fields (Kafka "
      "Connect's ExtractField$Value / $Key). The field is a dotted path into nested objects; it "
      "may hold any JSON (an object, a string, a number). A missing or null field makes the "
      "value null, i.e. a tombstone, as in Kafka Connect; a null value stays null; a value that "
      "is not a JSON object fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: ExtractField\n"
      "    config: {field: after}     # {\"before\": null, \"after\": {\"id\": 1}} -> {\"id\": 1}\n"
      "  - type: ExtractField\n"
      "    config: {field: id, side: key}   # key {\"id\": 1} -> 1\n"
      "```";
  d.schema.Add(config::Key("field", config::ValueType::kString,
                           "The field to extract: a dotted path (`a\\.b` for a dot inside a "
                           "name).")
                   .Required());
  d.schema.Add(SideKey());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    RC_ASSIGN_OR_RETURN(JsonPath field, ConfigPath(bound, "field", bound.GetString("field")));
    return std::unique_ptr<Transform>(
        std::make_unique<ExtractField>(std::move(field), SideOf(bound)));
  };
  return d;
}

void RegisterExtractField(TransformRegistry& registry) { registry.Add(ExtractFieldDescriptor()); }

}  // namespace rivven::transforms
