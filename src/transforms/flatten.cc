#include "transforms/flatten.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

/// {"a": {"b": 1}} -> {"a.b": 1}. Built once from config; Apply runs on the chain's thread.
class Flatten final : public Transform {
 public:
  Flatten(std::string delimiter, Side side) : delimiter_(std::move(delimiter)), side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    if (!json.ok()) return json.status().WithContext("Flatten");
    rapidjson::Value* root = *json;
    if (root == nullptr) return Outcome::kKeep;
    if (!root->IsObject()) {
      return Status::InvalidArgument(std::string("Flatten: the ") + SideName(side_) +
                                     " is not a JSON object: " + Shown(*root));
    }
    auto& alloc = record.allocator();
    rapidjson::Value flat(rapidjson::kObjectType);
    std::unordered_map<std::string, rapidjson::SizeType> index;  // name -> member position

    // Depth-first with an explicit stack, so deeply nested input cannot overflow the stack.
    struct Frame {
      rapidjson::Value* object;
      rapidjson::SizeType next;
      std::string prefix;
    };
    std::vector<Frame> stack;
    stack.push_back(Frame{root, 0, {}});
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.object->MemberCount()) {
        stack.pop_back();
        continue;
      }
      auto member = top.object->MemberBegin() + top.next++;
      std::string name = top.prefix;
      if (!name.empty()) name += delimiter_;
      name.append(member->name.GetString(), member->name.GetStringLength());
      if (member->value.IsObject()) {
        // An empty object adds no field, as in Kafka Connect.
        stack.push_back(Frame{&member->value, 0, std::move(name)});
        continue;
      }
      // Leaves (scalars, null, arrays) move as they are; a later duplicate name wins.
      const auto [it, inserted] = index.try_emplace(name, flat.MemberCount());
      if (inserted) {
        rapidjson::Value key(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc);
        flat.AddMember(key, member->value, alloc);
      } else {
        (flat.MemberBegin() + it->second)->value = member->value;
      }
    }
    ReplaceSide(record, side_, std::move(flat));
    return Outcome::kKeep;
  }

 private:
  std::string delimiter_;
  Side side_;
};

}  // namespace

TransformDescriptor FlattenDescriptor() {
  TransformDescriptor d;
  d.type = "Flatten";
  d.description =
      "Flattens nested objects of the value (or, with `side: key`, the key) into top-level "
      "fields whose names join the path with `delimiter` (Kafka Connect's Flatten$Value / "
      "$Key). Arrays, nulls and scalars are kept as they are; an empty nested object adds no "
      "field; when two paths flatten to the same name the later one wins. A null value stays "
      "null; a value that is not a JSON object fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: Flatten\n"
      "    config: {delimiter: \"_\"}\n"
      "# {\"id\": 1, \"address\": {\"city\": \"Köln\", \"geo\": {\"lat\": 50.9}}}\n"
      "# -> {\"id\": 1, \"address_city\": \"Köln\", \"address_geo_lat\": 50.9}\n"
      "```";
  d.schema.Add(config::Key("delimiter", config::ValueType::kString,
                           "Put between the names of a nested field's path.")
                   .Default("."));
  d.schema.Add(SideKey());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    return std::unique_ptr<Transform>(
        std::make_unique<Flatten>(bound.GetString("delimiter"), SideOf(bound)));
  };
  return d;
}

void RegisterFlatten(TransformRegistry& registry) { registry.Add(FlattenDescriptor()); }

}  // namespace rivven::transforms
