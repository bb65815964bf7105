#pragma once

#include <string>
#include <vector>

#include "config/pipeline_config.h"

namespace rivven::config {

/// Resolves `${VAR}` and `${VAR:-default}` in one scalar value; several references may appear
/// in one value ("Bearer ${TOKEN}"). `$${` is a literal `${`. `${VAR:-x}` uses x when VAR is
/// unset or empty (as the shell does); `${VAR}` with VAR set but empty gives "". Each problem
/// (unset without default, malformed reference) is appended to `errors` as a message naming
/// the variable, never its value; the reference is then replaced by nothing.
std::string ExpandVariables(const std::string& value, const EnvLookup& env,
                            std::vector<std::string>* errors);

}  // namespace rivven::config
