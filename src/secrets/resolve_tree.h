#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/node.h"
#include "secrets/reference.h"

namespace rivven::secrets {

class Resolver;

/// Where one reference was written and resolved.
struct SecretUse {
  std::string path;  ///< dotted YAML path, e.g. sources.db.config.password
  config::Mark mark;
  Reference ref;
};

/// Which references a walk may resolve: the `secrets:` block itself cannot use Vault (it says
/// how to reach Vault), everything else can use all three kinds.
enum class Allowed { kAll, kEnvAndFile };

/// Replaces every string value of `node` that is a reference (reference.h) by its value, in
/// place; map keys are never references. Every failure goes to `diags` with the value's path and
/// line:column, naming the reference and never a value. Each resolved place is appended to
/// `uses` (when given).
void ResolveTree(config::Node* node, const std::string& path, Allowed allowed, Resolver& resolver,
                 config::Diagnostics* diags, std::vector<SecretUse>* uses);

}  // namespace rivven::secrets
