#include "transforms/transform.h"

#include "transforms/content_router.h"
#include "transforms/extract_new_record_state.h"
#include "transforms/filter.h"
#include "transforms/insert_field.h"
#include "transforms/mask_field.h"
#include "transforms/plugin_transform.h"
#include "transforms/predicates.h"
#include "transforms/replace_field.h"
#include "transforms/standard_transforms.h"
#include "transforms/wasm_transform.h"

namespace rivven::transforms {
namespace {

/// Every built-in transform and predicate type, in one list. Each file exports one Register
/// function; a new transform adds its line here.
void RegisterAllTransforms(TransformRegistry& registry) {
  // The spec's transforms.
  RegisterExtractNewRecordState(registry);
  RegisterMaskField(registry);
  RegisterReplaceField(registry);
  RegisterInsertField(registry);
  RegisterFilter(registry);
  RegisterContentRouter(registry);
  // The Kafka Connect / Debezium standard set (standard_transforms.cc lists them).
  RegisterStandardTransforms(registry);
  // A native plugin (include/rivven/plugin.h).
  RegisterPluginTransform(registry);
  // A WebAssembly module (docs/wasm.md).
  RegisterWasmTransform(registry);
  // Predicates for `predicate:` and `when:`.
  RegisterPredicates(registry);
}

}  // namespace

void TransformRegistry::Add(TransformDescriptor d) {
  RC_ASSERT(FindTransform(d.type) == nullptr);
  transforms_.push_back(std::make_unique<TransformDescriptor>(std::move(d)));
}

void TransformRegistry::Add(PredicateDescriptor d) {
  RC_ASSERT(FindPredicate(d.type) == nullptr);
  predicates_.push_back(std::make_unique<PredicateDescriptor>(std::move(d)));
}

const TransformDescriptor* TransformRegistry::FindTransform(std::string_view type) const {
  for (const auto& d : transforms_) {
    if (d->type == type) return d.get();
  }
  return nullptr;
}

const PredicateDescriptor* TransformRegistry::FindPredicate(std::string_view type) const {
  for (const auto& d : predicates_) {
    if (d->type == type) return d.get();
  }
  return nullptr;
}

std::vector<const TransformDescriptor*> TransformRegistry::Transforms() const {
  std::vector<const TransformDescriptor*> out;
  out.reserve(transforms_.size());
  for (const auto& d : transforms_) out.push_back(d.get());
  return out;
}

std::vector<const PredicateDescriptor*> TransformRegistry::Predicates() const {
  std::vector<const PredicateDescriptor*> out;
  out.reserve(predicates_.size());
  for (const auto& d : predicates_) out.push_back(d.get());
  return out;
}

const TransformRegistry& BuiltinTransforms() {
  static const TransformRegistry* registry = [] {
    static TransformRegistry r;
    RegisterAllTransforms(r);
    return &r;
  }();
  return *registry;
}

}  // namespace rivven::transforms
