#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"

namespace rivven::config {
class Schema;
}

namespace rivven::secrets {

/// The declarations of the connector `connector` of `section` ("sources"/"sinks"), or null for
/// an unknown one (the app looks them up in the connector registry).
using SchemaLookup =
    std::function<const config::Schema*(std::string_view section, std::string_view connector)>;

/// Walks the loaded (resolved) file against the declarations that know which keys are secret:
/// the top-level keys (broker.sasl.password), `secrets.config` of provider vault, and each
/// connector's `config:` block. A secret key's value that is not written in the file (it came
/// from `${VAR}` or a reference) is registered with base/redaction, so no output shows it even
/// where the key's flag is not consulted; the paths of those written in the file in plain text
/// are returned, in file order.
std::vector<std::string> ScanSecretKeys(const config::Node& root, const SchemaLookup& lookup);

/// Logs a warning naming `file`, its mode and `plaintext_keys` (never their values) when the
/// list is not empty and the file is readable by its group or by others. Returns whether it
/// warned.
bool WarnIfReadableWithPlaintextSecrets(const std::string& file,
                                        const std::vector<std::string>& plaintext_keys);

}  // namespace rivven::secrets
