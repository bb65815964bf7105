#include "transforms/set_null.h"

#include "transforms/record_context.h"

namespace rivven::transforms {
namespace {

/// Nulls the value and/or the key. Built once from config; Apply runs on the chain's thread.
class SetNull final : public Transform {
 public:
  SetNull(bool value, bool key) : value_(value), key_(key) {}

  Result<Outcome> Apply(RecordContext& record) override {
    if (value_) record.SetValueNull();
    if (key_) record.SetKeyNull();
    return Outcome::kKeep;
  }

 private:
  bool value_;
  bool key_;
};

}  // namespace

TransformDescriptor SetNullDescriptor() {
  TransformDescriptor d;
  d.type = "SetNull";
  d.description =
      "Makes the value null (turning the record into a tombstone), the key null, or both "
      "(`side`), for every record the entry's predicate selects; without a predicate, for "
      "every record. Headers, topic and timestamp are kept. Useful to turn a soft delete into "
      "a tombstone for a compacted topic.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: SetNull\n"
      "    when: \"value.deleted == true\"\n"
      "  - type: SetNull\n"
      "    config: {side: key}\n"
      "    predicate: {type: TopicNameMatches, config: {pattern: \"metrics\\\\..*\"}}\n"
      "```";
  d.schema.Add(config::Key("side", config::ValueType::kString,
                           "What to make null: the value, the key, or both.")
                   .OneOf({"value", "key", "both"})
                   .Default("value"));
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    const std::string side = bound.GetString("side");
    return std::unique_ptr<Transform>(std::make_unique<SetNull>(side != "key", side != "value"));
  };
  return d;
}

void RegisterSetNull(TransformRegistry& registry) { registry.Add(SetNullDescriptor()); }

}  // namespace rivven::transforms
