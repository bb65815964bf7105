#pragma once

#include <string>

#include "base/status.h"

namespace rivven {

/// The private state directory of connector `name` under the pipeline's data dir
/// (`<data_dir>/connectors/<name>`), created if missing. Empty when `data_dir` is empty.
Result<std::string> ConnectorStateDir(const std::string& data_dir, const std::string& name);

}  // namespace rivven
