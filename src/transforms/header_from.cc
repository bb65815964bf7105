#include "transforms/header_from.h"

#include <string>
#include <utility>
#include <vector>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

struct Mapping {
  JsonPath field;
  std::string header;
};

/// Copies or moves fields into headers. Built once from config; Apply runs on the chain's
/// thread.
class HeaderFrom final : public Transform {
 public:
  HeaderFrom(std::vector<Mapping> mappings, bool move, Side side)
      : mappings_(std::move(mappings)), move_(move), side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    if (!json.ok()) return json.status().WithContext("HeaderFrom");
    rapidjson::Value* root = *json;
    if (root == nullptr) return Outcome::kKeep;  // a tombstone has no fields to copy
    if (!root->IsObject()) {
      return Status::InvalidArgument(std::string("HeaderFrom: the ") + SideName(side_) +
                                     " is not a JSON object: " + Shown(*root));
    }
    // Headers first, removals after: two headers may come from the same field.
    std::vector<RecordHeader>& headers = record.record().headers;
    for (const Mapping& m : mappings_) {
      const rapidjson::Value* v = GetPath(*root, m.field);
      if (v == nullptr || v->IsNull()) continue;  // headers have no null: none is added
      headers.push_back(RecordHeader{m.header, HeaderBytes(*v)});
    }
    if (move_) {
      bool removed = false;
      for (const Mapping& m : mappings_) removed |= RemovePath(*root, m.field);
      if (removed) MarkSideChanged(record, side_);
    }
    return Outcome::kKeep;
  }

 private:
  std::vector<Mapping> mappings_;
  bool move_;
  Side side_;
};

Result<std::unique_ptr<Transform>> MakeHeaderFrom(const config::BoundConfig& bound) {
  const std::vector<std::string> fields = ListItems(bound, "fields");
  const std::vector<std::string> headers = ListItems(bound, "headers");
  if (fields.empty()) {
    return Status::InvalidArgument("fields: name at least one field");
  }
  if (fields.size() != headers.size()) {
    return Status::InvalidArgument("headers: " + std::to_string(headers.size()) +
                                   " header(s) for " + std::to_string(fields.size()) +
                                   " field(s); give one header per field");
  }
  std::vector<Mapping> mappings;
  for (size_t i = 0; i < fields.size(); ++i) {
    RC_ASSIGN_OR_RETURN(JsonPath path, ConfigPath(bound, "fields", fields[i]));
    mappings.push_back(Mapping{std::move(path), headers[i]});
  }
  return std::unique_ptr<Transform>(std::make_unique<HeaderFrom>(
      std::move(mappings), bound.GetString("operation") == "move", SideOf(bound)));
}

}  // namespace

TransformDescriptor HeaderFromDescriptor() {
  TransformDescriptor d;
  d.type = "HeaderFrom";
  d.description =
      "Copies (or moves) fields of the value, or with `side: key` of the key, into headers "
      "(Kafka Connect's HeaderFrom$Value / $Key): the i-th field goes to the i-th header. A "
      "string field becomes the header's text; any other JSON (numbers, booleans, objects) "
      "its compact JSON text. Headers are appended. A missing or null field adds no header "
      "(headers cannot be null here); with `operation: move` the field is removed from the "
      "record. Tombstones pass unchanged; a value that is not a JSON object fails the "
      "record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: HeaderFrom\n"
      "    config:\n"
      "      fields: [meta.trace_id, tenant]\n"
      "      headers: [traceparent, tenant]\n"
      "      operation: move\n"
      "```";
  d.schema.Add(config::Key("fields", config::ValueType::kStringList,
                           "Fields to read, dotted paths (a list, or a comma-separated string).")
                   .Required());
  d.schema.Add(config::Key("headers", config::ValueType::kStringList,
                           "Header keys, one per field, in the same order.")
                   .Required());
  d.schema.Add(config::Key("operation", config::ValueType::kString,
                           "copy keeps the fields in the record; move removes them.")
                   .Required()
                   .OneOf({"copy", "move"}));
  d.schema.Add(SideKey());
  d.make = MakeHeaderFrom;
  return d;
}

void RegisterHeaderFrom(TransformRegistry& registry) { registry.Add(HeaderFromDescriptor()); }

}  // namespace rivven::transforms
