#include "runtime/pipeline_plan.h"

#include <string>

namespace rivven {
namespace {

const ConnectorDescriptor* Resolve(const Registry& registry, ConnectorKind kind,
                                   const std::string& name, const std::string& path,
                                   config::Mark mark, config::Diagnostics* diags) {
  if (const auto* d = registry.Find(kind, name)) return d;
  const char* what = kind == ConnectorKind::kSource ? "source" : "sink";
  std::string msg = "unknown " + std::string(what) + " connector '" + name + "'";
  const std::string suggestion = config::DidYouMean(name, registry.Names(kind));
  if (!suggestion.empty()) {
    msg += " (did you mean '" + suggestion + "'?)";
  } else {
    msg += "; available: ";
    bool first = true;
    for (const auto& n : registry.Names(kind)) {
      msg += (first ? "" : ", ") + n;
      first = false;
    }
  }
  diags->Add(path, mark, std::move(msg));
  return nullptr;
}

/// Resolves and binds every entry of one section (sources or sinks) into `out`.
template <typename Planned, typename Spec>
void PlanSection(const std::vector<Spec>& specs, ConnectorKind kind, const char* section,
                 const Registry& registry, config::Diagnostics* diags, std::vector<Planned>* out) {
  for (const auto& spec : specs) {
    const std::string base = std::string(section) + "." + spec.name;
    const auto* d = Resolve(registry, kind, spec.connector, base + ".connector", spec.mark, diags);
    if (d == nullptr) continue;
    Planned p{spec, d,
              config::Bind(d->schema, spec.config.IsNull() ? nullptr : &spec.config,
                           base + ".config", spec.mark, diags),
              nullptr};
    if (d->validate) d->validate(p.config, diags);
    if (!spec.transforms.empty()) {
      p.chain = std::make_shared<const transforms::TransformChain>(
          transforms::TransformChain::Build(spec.transforms, base + ".transforms", diags));
    }
    out->push_back(std::move(p));
  }
}

}  // namespace

PipelinePlan PlanPipeline(config::PipelineConfig cfg, const Registry& registry,
                          config::Diagnostics* diags) {
  PipelinePlan plan;
  PlanSection(cfg.sources, ConnectorKind::kSource, "sources", registry, diags, &plan.sources);
  PlanSection(cfg.sinks, ConnectorKind::kSink, "sinks", registry, diags, &plan.sinks);
  plan.config = std::move(cfg);
  return plan;
}

PipelinePlan LoadAndPlan(const std::string& path, const config::EnvLookup& env,
                         const Registry& registry, config::Diagnostics* diags,
                         const config::NodeRewriter& rewrite) {
  config::PipelineConfig cfg = config::LoadPipelineConfig(path, env, diags, rewrite);
  return PlanPipeline(std::move(cfg), registry, diags);
}

}  // namespace rivven
