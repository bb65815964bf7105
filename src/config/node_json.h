#pragma once

#include <string>

#include "config/node.h"

namespace rivven::config {

/// A YAML value as JSON text, for components that take free-form configuration as JSON (native
/// plugins' `plugin_config`). Scalars are typed the way YAML's core schema reads them: quoted
/// text is a string; unquoted null/~/empty is null, true/false a boolean, integers and finite
/// decimals numbers; anything else a string. Map keys keep file order.
std::string NodeToJson(const Node& node);

}  // namespace rivven::config
