#include "transforms/predicates.h"

#include <string>
#include <utility>

#include <re2/re2.h>

#include "transforms/expr/expression.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::ValueType;

class TopicNameMatches final : public Predicate {
 public:
  explicit TopicNameMatches(std::unique_ptr<re2::RE2> pattern) : pattern_(std::move(pattern)) {}
  bool Test(RecordContext& record) override {
    const std::string_view topic = record.topic();
    return re2::RE2::FullMatch(re2::StringPiece(topic.data(), topic.size()), *pattern_);
  }

 private:
  std::unique_ptr<re2::RE2> pattern_;
};

class HasHeaderKey final : public Predicate {
 public:
  explicit HasHeaderKey(std::string name) : name_(std::move(name)) {}
  bool Test(RecordContext& record) override { return record.Header(name_).has_value(); }

 private:
  std::string name_;
};

class RecordIsTombstone final : public Predicate {
 public:
  bool Test(RecordContext& record) override { return record.value_is_null(); }
};

class ExpressionPredicate final : public Predicate {
 public:
  explicit ExpressionPredicate(Expression expression) : expression_(std::move(expression)) {}
  bool Test(RecordContext& record) override { return expression_.Test(record); }

 private:
  Expression expression_;
};

}  // namespace

Result<std::unique_ptr<Predicate>> MakeExpressionPredicate(std::string_view expression) {
  RC_ASSIGN_OR_RETURN(Expression compiled, Expression::Compile(expression));
  return std::unique_ptr<Predicate>(std::make_unique<ExpressionPredicate>(std::move(compiled)));
}

void RegisterPredicates(TransformRegistry& registry) {
  {
    PredicateDescriptor d;
    d.type = "TopicNameMatches";
    d.description =
        "True for records whose topic matches `pattern` (RE2 syntax, matched against the whole "
        "topic name).\n\n"
        "```yaml\n"
        "predicate:\n"
        "  type: TopicNameMatches\n"
        "  config:\n"
        "    pattern: \"cdc\\\\.public\\\\..*\"\n"
        "```";
    d.schema.Add(Key("pattern", ValueType::kString,
                     "Regular expression (RE2) the whole topic name must match.")
                     .Required());
    d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Predicate>> {
      re2::RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_unique<re2::RE2>(c.GetString("pattern"), options);
      if (!re->ok()) {
        return Status::InvalidArgument("pattern: invalid regular expression: " + re->error());
      }
      return std::unique_ptr<Predicate>(std::make_unique<TopicNameMatches>(std::move(re)));
    };
    registry.Add(std::move(d));
  }
  {
    PredicateDescriptor d;
    d.type = "HasHeaderKey";
    d.description =
        "True for records that carry at least one header named `name` (whatever its value).\n\n"
        "```yaml\n"
        "predicate:\n"
        "  type: HasHeaderKey\n"
        "  config:\n"
        "    name: trace-id\n"
        "```";
    d.schema.Add(Key("name", ValueType::kString, "Header key to look for.").Required());
    d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Predicate>> {
      return std::unique_ptr<Predicate>(std::make_unique<HasHeaderKey>(c.GetString("name")));
    };
    registry.Add(std::move(d));
  }
  {
    PredicateDescriptor d;
    d.type = "RecordIsTombstone";
    d.description =
        "True for tombstones: records whose value is null (deletes on compacted topics). "
        "Takes no config.\n\n"
        "```yaml\n"
        "predicate:\n"
        "  type: RecordIsTombstone\n"
        "negate: true   # apply the transform to every record except tombstones\n"
        "```";
    d.make = [](const config::BoundConfig&) -> Result<std::unique_ptr<Predicate>> {
      return std::unique_ptr<Predicate>(std::make_unique<RecordIsTombstone>());
    };
    registry.Add(std::move(d));
  }
  {
    PredicateDescriptor d;
    d.type = "Expression";
    d.description =
        "True for records for which `expression` (the filter language, docs/expressions.md) is "
        "true. An entry's `when: \"...\"` is a shorthand for this predicate.\n\n"
        "```yaml\n"
        "predicate:\n"
        "  type: Expression\n"
        "  config:\n"
        "    expression: \"value.total > 100 && value.currency == 'EUR'\"\n"
        "```";
    d.schema.Add(Key("expression", ValueType::kString, "The condition, compiled once at startup.")
                     .Required());
    d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Predicate>> {
      auto p = MakeExpressionPredicate(c.GetString("expression"));
      if (!p.ok()) return Status::InvalidArgument("expression: " + p.status().message());
      return std::move(p).value();
    };
    registry.Add(std::move(d));
  }
}

}  // namespace rivven::transforms
