#pragma once

#include "base/status.h"
#include "config/schema.h"

// Not `stdout`: that name is a macro from <cstdio>.
namespace rivven::console {

enum class OutputFormat { kJson, kText };

/// The typed `config:` block of the stdout sink. Immutable after construction.
struct StdoutConfig {
  OutputFormat format = OutputFormat::kJson;
  bool pretty = false;            ///< json only: indented, multi-line documents
  bool include_metadata = false;  ///< json only: wrap in {"topic",..,"key","value"}
};

/// The single declaration of the stdout sink's keys.
config::Schema StdoutSchema();

/// Reads a config bound against StdoutSchema().
Result<StdoutConfig> StdoutConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::console
