#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runtime/pipeline_plan.h"

namespace CLI {
class App;
}

namespace rivven::secrets {
class SecretSession;
}

namespace rivven::app {

/// Exit codes of every command (DESIGN §1).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  ///< a runtime failure
inline constexpr int kExitUsage = 2;    ///< bad config or bad command line

/// Options every subcommand accepts.
struct GlobalOptions {
  std::string config_path;
  std::string log_format = "text";
  std::string log_level;  ///< empty: settings.log_level, else info
  std::string data_dir;   ///< overrides broker.data_dir
};

/// The chosen subcommand's action, set by its CLI11 callback; returns the exit code.
using Action = std::function<int()>;

void AddRunCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddValidateCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddCheckCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddDiscoverCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddInitCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddConnectorsCommands(CLI::App& app, GlobalOptions& g, Action& action);
void AddTopicsCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddTransformsCommand(CLI::App& app, GlobalOptions& g, Action& action);
void AddAirbyteCommand(CLI::App& app, GlobalOptions& g, Action& action);

/// Loads and plans `--config`, applying --data-dir; prints every problem to stderr as
/// "FILE:LINE:COL: error: PATH: MESSAGE" and returns nullopt when there was any. Secret
/// references are resolved on the way (src/secrets); `secrets`, when given, receives the
/// session that renews them (`run` keeps it; the other commands let it go).
std::optional<PipelinePlan> LoadPlanOrReport(
    const GlobalOptions& g, std::unique_ptr<secrets::SecretSession>* secrets = nullptr);

/// Applies --log-format/--log-level (falling back to `settings_level`).
void InitLogging(const GlobalOptions& g, const std::string& settings_level);

/// Whether a --config was given; prints the usage error when not.
bool RequireConfig(const GlobalOptions& g, const char* command);

}  // namespace rivven::app
