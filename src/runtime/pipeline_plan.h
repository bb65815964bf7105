#pragma once

#include <memory>
#include <vector>

#include "config/pipeline_config.h"
#include "config/schema.h"
#include "connectors/registry.h"
#include "transforms/chain.h"

namespace rivven {

struct PlannedSource {
  config::SourceConfig spec;
  const ConnectorDescriptor* descriptor = nullptr;  ///< owned by the Registry
  config::BoundConfig config;
  /// The compiled `transforms:` (shared: plans are copied, the chain is immutable).
  std::shared_ptr<const transforms::TransformChain> chain;
};

struct PlannedSink {
  config::SinkConfig spec;
  const ConnectorDescriptor* descriptor = nullptr;
  config::BoundConfig config;
  std::shared_ptr<const transforms::TransformChain> chain;
};

/// A loaded config whose every connector was found in the registry and whose every `config:`
/// block was bound against that connector's declarations. Immutable once built.
struct PipelinePlan {
  config::PipelineConfig config;
  std::vector<PlannedSource> sources;  ///< all, in file order (check `spec.enabled`)
  std::vector<PlannedSink> sinks;
};

/// Resolves connectors and binds their configs. Unknown connector names (with a did-you-mean)
/// and every binding or cross-key error go to `diags`; the plan is usable only when `diags`
/// stays empty. Disabled connectors are validated too, so a typo never hides until enabled.
PipelinePlan PlanPipeline(config::PipelineConfig config, const Registry& registry,
                          config::Diagnostics* diags);

/// Loads `path` and plans it in one step (what `run`, `validate` and `check` share);
/// `rewrite` resolves secret references between parsing and reading (config::NodeRewriter).
PipelinePlan LoadAndPlan(const std::string& path, const config::EnvLookup& env,
                         const Registry& registry, config::Diagnostics* diags,
                         const config::NodeRewriter& rewrite = {});

}  // namespace rivven
