#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/diagnostics.h"
#include "config/schema.h"
#include "connectors/airbyte/airbyte_protocol.h"

namespace rivven::airbyte {

/// Where airbyte-docker mounts the private directory with config.json, catalog.json and
/// state.json inside the container (read-only).
inline constexpr char kContainerDir[] = "/secrets";

/// The typed `config:` block of the airbyte and airbyte-docker sources.
struct AirbyteConfig {
  // airbyte: the executable and its arguments, before the protocol command
  std::vector<std::string> command;
  // airbyte-docker
  bool docker = false;
  std::string image;
  std::vector<std::string> docker_args;  ///< extra `docker run` arguments (before the image)
  bool run_as_current_user = true;       ///< --user <our uid>:<our gid>, so 0600 files are readable
  // both
  std::string source_config;  ///< the connector's own config, as JSON (secrets: never logged)
  std::vector<StreamSelection> streams;
  std::chrono::milliseconds timeout{300000};  ///< spec, check and discover
};

config::Schema AirbyteSchema();        ///< `airbyte`: a local executable
config::Schema AirbyteDockerSchema();  ///< `airbyte-docker`: an image run with docker
/// Checks what the schema cannot: the shape of `config` and `streams`.
void ValidateAirbyteConfig(const config::BoundConfig& bound, config::Diagnostics* diags);
Result<AirbyteConfig> AirbyteConfigFromBound(const config::BoundConfig& bound, bool docker);

/// The argv of one protocol command, e.g. {"read", "--config", "config.json", ...}: each
/// argument that names a file in the private directory `dir` becomes its path (for docker, its
/// path in the container, with the directory mounted there).
std::vector<std::string> CommandLine(const AirbyteConfig& config, const std::string& dir,
                                     const std::vector<std::string>& protocol_args);

}  // namespace rivven::airbyte
