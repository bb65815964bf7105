#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::transforms {

class RecordContext;

enum class Outcome { kKeep, kDrop };

/// One configured transform (an entry of a `transforms:` list). Built once at startup from its
/// bound config; Apply is called for every record, from one runner thread at a time.
/// A failed Apply means this record cannot be transformed (bad data for this transform): the
/// runner applies the connector's on_error policy to it.
class Transform {
 public:
  virtual ~Transform() = default;
  virtual Result<Outcome> Apply(RecordContext& record) = 0;
  /// Every topic this transform may route a record to (a router's routes and default), so the
  /// runtime can create them before the first record arrives. Empty for transforms that keep
  /// the record's topic, or whose targets are computed from the data.
  virtual std::vector<std::string> Topics() const { return {}; }
};

/// A condition on a record (Kafka Connect predicates: TopicNameMatches, HasHeaderKey,
/// RecordIsTombstone, an expression).
class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual bool Test(RecordContext& record) = 0;
};

/// The declaration of a transform type: its config keys (one declaration drives validation,
/// JSON Schema and docs) and its factory.
struct TransformDescriptor {
  std::string type;          ///< e.g. "MaskField"
  std::string description;   ///< one paragraph, with a YAML example
  config::Schema schema;     ///< keys of its `config:` block
  std::function<Result<std::unique_ptr<Transform>>(const config::BoundConfig&)> make;
};

struct PredicateDescriptor {
  std::string type;
  std::string description;
  config::Schema schema;
  std::function<Result<std::unique_ptr<Predicate>>(const config::BoundConfig&)> make;
};

/// Every built-in transform and predicate type, filled once at startup (registry.cc);
/// read-only afterwards.
class TransformRegistry {
 public:
  void Add(TransformDescriptor d);
  void Add(PredicateDescriptor d);
  const TransformDescriptor* FindTransform(std::string_view type) const;
  const PredicateDescriptor* FindPredicate(std::string_view type) const;
  std::vector<const TransformDescriptor*> Transforms() const;
  std::vector<const PredicateDescriptor*> Predicates() const;

 private:
  std::vector<std::unique_ptr<TransformDescriptor>> transforms_;
  std::vector<std::unique_ptr<PredicateDescriptor>> predicates_;
};

const TransformRegistry& BuiltinTransforms();

}  // namespace rivven::transforms
