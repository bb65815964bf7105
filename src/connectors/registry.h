#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/schema.h"
#include "connectors/connector.h"

namespace rivven {

enum class ConnectorKind { kSource, kSink };

using SourceFactory = std::function<Result<std::unique_ptr<Source>>(
    const config::BoundConfig& config, const ConnectorContext& context)>;
using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(
    const config::BoundConfig& config, const ConnectorContext& context)>;
/// Connects to the external system without side effects (`check`). Optional.
using CheckFunction = std::function<Status(const config::BoundConfig& config)>;
/// Lists readable streams (`discover`). Optional; sources only.
using DiscoverFunction =
    std::function<Result<std::vector<StreamDescription>>(const config::BoundConfig& config)>;
/// Cross-key validation beyond the declarations (e.g. "a requires b"); adds to diags.
using ValidateFunction = std::function<void(const config::BoundConfig& config,
                                            config::Diagnostics* diags)>;

/// Everything the runtime and CLI know about one connector. The schema is the single
/// declaration of its config keys.
struct ConnectorDescriptor {
  std::string name;
  ConnectorKind kind = ConnectorKind::kSource;
  std::string description;
  config::Schema schema;
  bool bounded_when_configured = false;  ///< informational, for docs
  SourceFactory make_source;             ///< kSource
  SinkFactory make_sink;                 ///< kSink
  CheckFunction check;
  DiscoverFunction discover;
  ValidateFunction validate;
};

/// The list of compiled-in connectors. Filled once at startup by RegisterAllConnectors; read-only
/// afterwards, so safe to read from any thread.
class Registry {
 public:
  void Add(ConnectorDescriptor descriptor);
  const ConnectorDescriptor* Find(ConnectorKind kind, std::string_view name) const;
  std::vector<const ConnectorDescriptor*> All() const;
  std::vector<std::string> Names(ConnectorKind kind) const;

 private:
  std::vector<std::unique_ptr<ConnectorDescriptor>> items_;
};

/// Calls every connector folder's Register<Name>(Registry&), in one list (registry.cc).
void RegisterAllConnectors(Registry& registry);

/// The process-wide registry, filled on first use.
const Registry& BuiltinRegistry();

}  // namespace rivven
