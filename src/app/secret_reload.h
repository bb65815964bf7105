#pragma once

#include "secrets/renewer.h"

namespace rivven {
class Pipeline;
struct PipelinePlan;
namespace secrets {
class SecretSession;
}

namespace app {

/// What `run` does when secret values change in Vault while it runs: each source or sink whose
/// `config:` block uses a changed reference gets the block resolved again, bound against its
/// connector's declarations, and is restarted with it (Pipeline::Reconfigure). A changed value
/// used anywhere else (broker, settings, transforms) cannot be applied to a running process: a
/// warning names where it is used. Called on the renewal thread; `plan`, `session` and
/// `pipeline` outlive the renewal.
secrets::Renewer::OnChange MakeSecretReloader(const PipelinePlan& plan,
                                              secrets::SecretSession& session, Pipeline& pipeline);

}  // namespace app
}  // namespace rivven
