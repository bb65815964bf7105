#include "transforms/hoist_field.h"

#include <optional>
#include <string>
#include <utility>

#include <rapidjson/stringbuffer.h>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

bool IsUtf8(const std::string& s) {
  rapidjson::StringStream in(s.c_str());
  rapidjson::StringBuffer ignored;
  while (static_cast<size_t>(in.Tell()) < s.size()) {
    if (!rapidjson::UTF8<>::Validate(in, ignored)) return false;
  }
  return true;
}

/// Wraps one side of the record: v -> {field: v}. Built once from config; Apply runs on the
/// chain's thread.
class HoistField final : public Transform {
 public:
  HoistField(JsonPath field, Side side) : field_(std::move(field)), side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    rapidjson::Value inner;
    if (!json.ok()) {
      // Plain text (what Kafka Connect's StringConverter hands HoistField) is hoisted as a
      // JSON string.
      const std::optional<std::string>& bytes =
          side_ == Side::kKey ? record.record().key : record.record().value;
      if (!bytes || !IsUtf8(*bytes)) {
        return Status::InvalidArgument(std::string("HoistField: the ") + SideName(side_) +
                                       " is neither JSON nor UTF-8 text");
      }
      inner.SetString(bytes->data(), static_cast<rapidjson::SizeType>(bytes->size()),
                      record.allocator());
    } else if (*json != nullptr) {
      inner = **json;  // moves; a null side is hoisted as null
    }
    rapidjson::Value wrapped(rapidjson::kObjectType);
    SetPath(wrapped, field_, inner, record.allocator());  // cannot fail on a fresh object
    ReplaceSide(record, side_, std::move(wrapped));
    return Outcome::kKeep;
  }

 private:
  JsonPath field_;
  Side side_;
};

}  // namespace

TransformDescriptor HoistFieldDescriptor() {
  TransformDescriptor d;
  d.type = "HoistField";
  d.description =
      "Wraps the value (or, with `side: key`, the key) into an object under `field` (Kafka "
      "Connect's HoistField$Value / $Key): 42 becomes {\"field\": 42}. A dotted field nests: "
      "`field: a.b` gives {\"a\": {\"b\": 42}}. Like Kafka Connect, a null is hoisted too "
      "(a tombstone becomes {\"field\": null}), and bytes that are not JSON but UTF-8 text are "
      "hoisted as a string; put a RecordIsTombstone predicate with "
      "`negate: true` on the entry to keep tombstones.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: HoistField\n"
      "    config: {field: line}      # \"plain text\" -> {\"line\": \"plain text\"}\n"
      "```";
  d.schema.Add(config::Key("field", config::ValueType::kString,
                           "Name of the field that holds the original value (a dotted path "
                           "nests it).")
                   .Required());
  d.schema.Add(SideKey());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    RC_ASSIGN_OR_RETURN(JsonPath field, ConfigPath(bound, "field", bound.GetString("field")));
    return std::unique_ptr<Transform>(
        std::make_unique<HoistField>(std::move(field), SideOf(bound)));
  };
  return d;
}

void RegisterHoistField(TransformRegistry& registry) { registry.Add(HoistFieldDescriptor()); }

}  // namespace rivven::transforms
