#include "transforms/drop.h"

namespace rivven::transforms {
namespace {

/// Drops every record it is applied to; the entry's predicate chooses which.
class Drop final : public Transform {
 public:
  Result<Outcome> Apply(RecordContext&) override { return Outcome::kDrop; }
};

}  // namespace

TransformDescriptor DropDescriptor() {
  TransformDescriptor d;
  d.type = "Drop";
  d.description =
      "Drops every record the entry's predicate selects (Kafka Connect's Filter transform); "
      "without a predicate it drops every record. A dropped record is not an error; it never "
      "reaches the topic or the sink.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: Drop\n"
      "    predicate: {type: RecordIsTombstone}\n"
      "  - type: Drop\n"
      "    predicate: {type: TopicNameMatches, config: {pattern: \"audit\\\\..*\"}}\n"
      "    negate: true      # keep only the audit.* topics\n"
      "```";
  d.make = [](const config::BoundConfig&) -> Result<std::unique_ptr<Transform>> {
    return std::unique_ptr<Transform>(std::make_unique<Drop>());
  };
  return d;
}

void RegisterDrop(TransformRegistry& registry) { registry.Add(DropDescriptor()); }

}  // namespace rivven::transforms
