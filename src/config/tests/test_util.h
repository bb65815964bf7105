#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/pipeline_config.h"

namespace rivven::config::testing {

/// An EnvLookup over a fixed map, so tests never depend on the process environment.
inline EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/// Parses YAML that the test expects to be well-formed; an empty Node if it is not.
inline Node Parse(const std::string& text, Diagnostics* diags, EnvLookup env = MapEnv({})) {
  return ParseYaml(text, env, diags).value_or(Node{});
}

/// ParseYaml + ReadPipelineConfig, as LoadPipelineConfig does for a file.
inline PipelineConfig ReadText(const std::string& text, Diagnostics* diags,
                               EnvLookup env = MapEnv({})) {
  std::optional<Node> root = ParseYaml(text, env, diags);
  if (!root) return PipelineConfig{};
  return ReadPipelineConfig(*root, diags);
}

}  // namespace rivven::config::testing
