#include "transforms/filter.h"

#include <utility>

#include "transforms/expr/expression.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::ValueType;

/// Keeps or drops records by a compiled expression. Stateless per record.
class Filter final : public Transform {
 public:
  Filter(Expression condition, bool keep) : condition_(std::move(condition)), keep_(keep) {}

  Result<Outcome> Apply(RecordContext& record) override {
    return condition_.Test(record) == keep_ ? Outcome::kKeep : Outcome::kDrop;
  }

 private:
  Expression condition_;
  bool keep_;  ///< action: keep (true) or drop (false) the matching records
};

}  // namespace

void RegisterFilter(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "Filter";
  d.description =
      "Keeps only the records for which `condition` is true (`action: keep`), or drops them "
      "(`action: drop`). The condition is an expression of the filter language "
      "(docs/expressions.md), compiled once at startup; a missing field or a type mismatch "
      "makes a comparison false rather than failing the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: Filter\n"
      "    config:\n"
      "      condition: \"value.amount > 100\"\n"
      "      action: keep    # keep matching records; drop: drop matching records\n"
      "```";
  d.schema.Add(Key("condition", ValueType::kString,
                   "The expression, e.g. value.amount > 100 && value.currency == \"EUR\".")
                   .Required());
  d.schema.Add(Key("action", ValueType::kString,
                   "`keep` the records the condition matches (dropping the others), or `drop` "
                   "them (keeping the others).")
                   .Default("keep")
                   .OneOf({"keep", "drop"}));
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    auto condition = Expression::Compile(c.GetString("condition"));
    if (!condition.ok()) {
      return Status::InvalidArgument("condition: " + condition.status().message());
    }
    return std::unique_ptr<Transform>(
        std::make_unique<Filter>(std::move(condition).value(), c.GetString("action") == "keep"));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
