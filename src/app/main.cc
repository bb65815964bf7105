#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli.h"
#include "base/redaction.h"
#include "base/version.h"

namespace {

// An exception nothing caught ends the process; its message may carry a value a library echoed,
// so the crash line is scrubbed of resolved secrets like every other output.
[[noreturn]] void OnTerminate() {
  std::string what = "an unknown exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
  }
  const std::string line =
      "rivven-connect: fatal: uncaught exception: " + rivven::redaction::Scrub(what) + "\n";
  ssize_t rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void)rc;
  std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rivven::app;
  // A closed stdout (`| head`) must surface as EPIPE, never kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (RLIMIT_FSIZE) must surface as EFBIG on write, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  std::set_terminate(OnTerminate);

  CLI::App app{"rivven-connect: stream data between databases, files, APIs and warehouses",
               "rivven-connect"};
  app.require_subcommand(1);
  // Global options may come before or after the subcommand: `run -c x.yaml` and `-c x.yaml run`.
  app.fallthrough();
  app.set_version_flag("--version", std::string("rivven-connect ") + rivven::kVersion);
  GlobalOptions g;
  app.add_option("-c,--config", g.config_path, "pipeline YAML file")->envname("RIVVEN_CONFIG");
  app.add_option("--log-format", g.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", g.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--data-dir", g.data_dir, "embedded broker data directory (overrides broker.data_dir)");

  Action action;
  AddRunCommand(app, g, action);
  AddValidateCommand(app, g, action);
  AddCheckCommand(app, g, action);
  AddDiscoverCommand(app, g, action);
  AddInitCommand(app, g, action);
  AddConnectorsCommands(app, g, action);
  AddTopicsCommand(app, g, action);
  AddTransformsCommand(app, g, action);
  AddAirbyteCommand(app, g, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (!action) return kExitUsage;
  return action();
}
