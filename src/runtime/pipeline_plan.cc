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

}  // namespace

PipelinePlan PlanPipeline(config::PipelineConfig cfg, const Registry& registry,
                          config::Diagnostics* diags) {
  PipelinePlan plan;
  for (const auto& src : cfg.sources) {
    const std::string base = "sources." + src.name;
    const auto* d = Resolve(registry, ConnectorKind::kSource, src.connector, base + ".connector",
                            src.mark, diags);
    if (d == nullptr) continue;
    PlannedSource p{src, d, config::Bind(d->schema, src.config.IsNull() ? nullptr : &src.config,
                                         base + ".config", src.mark, diags)};
    if (d->validate) d->validate(p.config, diags);
    plan.sources.push_back(std::move(p));
  }
  for (const auto& sink : cfg.sinks) {
    const std::string base = "sinks." + sink.name;
    const auto* d = Resolve(registry, ConnectorKind::kSink, sink.connector, base + ".connector",
                            sink.mark, diags);
    if (d == nullptr) continue;
    PlannedSink p{sink, d, config::Bind(d->schema, sink.config.IsNull() ? nullptr : &sink.config,
                                        base + ".config", sink.mark, diags)};
    if (d->validate) d->validate(p.config, diags);
    plan.sinks.push_back(std::move(p));
  }
  plan.config = std::move(cfg);
  return plan;
}

PipelinePlan LoadAndPlan(const std::string& path, const config::EnvLookup& env,
                         const Registry& registry, config::Diagnostics* diags) {
  config::PipelineConfig cfg = config::LoadPipelineConfig(path, env, diags);
  return PlanPipeline(std::move(cfg), registry, diags);
}

}  // namespace rivven
