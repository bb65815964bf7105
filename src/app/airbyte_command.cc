// `rivven-connect airbyte SOURCE spec|check|discover|read`: one of our sources as an Airbyte
// source connector, speaking the Airbyte protocol (one JSON message per line on stdout) so an
// Airbyte platform, or anything that runs Airbyte sources, can run it. Logs go to stderr.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stop_token>

#include <CLI/CLI.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/cli.h"
#include "base/clock.h"
#include "base/json_escape.h"
#include "base/log.h"
#include "config/pipeline_config.h"
#include "connectors/registry.h"

namespace rivven::app {
namespace {

struct AirbyteOptions {
  std::string connector;
  std::string command;
  std::string config_path;
  std::string catalog_path;
  std::string state_path;
};

void Emit(const std::string& message) {
  std::fwrite(message.data(), 1, message.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

/// JSON text on one line (the protocol is one message per line).
std::string Compact(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError()) return "{}";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

void EmitTraceError(const Status& s) {
  Emit(R"({"type":"TRACE","trace":{"type":"ERROR","emitted_at":)" + std::to_string(NowMs()) +
       R"(,"error":{"message":)" + Quoted(s.message()) + R"(,"failure_type":)" +
       (s.retriable() ? R"("transient_error")" : R"("system_error")") + "}}}");
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The Airbyte config file (JSON, which is YAML) bound against the connector's schema.
Result<config::BoundConfig> LoadConfig(const ConnectorDescriptor& d, const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("--config is required");
  RC_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  config::Diagnostics diags(path);
  std::optional<config::Node> node = config::ParseYaml(text, config::ProcessEnv(), &diags);
  if (!node) return Status::InvalidArgument(diags.Format());
  config::BoundConfig bound = config::Bind(d.schema, &*node, "config", node->mark, &diags);
  if (d.validate) d.validate(bound, &diags);
  if (!diags.empty()) return Status::InvalidArgument(diags.Format());
  return bound;
}

/// The position kept in an Airbyte legacy state: {"position": "<our opaque position>"}.
std::optional<std::string> PositionFromState(const std::string& text) {
  const std::string key = "\"position\":";
  const size_t at = text.find(key);
  if (at == std::string::npos) return std::nullopt;
  config::Diagnostics diags;
  auto node = config::ParseYaml(
      text, [](const std::string&) -> std::optional<std::string> { return std::nullopt; }, &diags);
  if (!node || !node->IsMap()) return std::nullopt;
  const config::Node* p = node->Find("position");
  if (p == nullptr || !p->IsScalar()) return std::nullopt;
  return p->scalar;
}

bool IsJsonObject(const std::string& s) {
  const size_t at = s.find_first_not_of(" \t\r\n");
  return at != std::string::npos && s[at] == '{';
}

int Read(const ConnectorDescriptor& d, const config::BoundConfig& bound, const AirbyteOptions& o) {
  std::optional<std::string> checkpoint;
  if (!o.state_path.empty()) {
    auto text = ReadText(o.state_path);
    if (!text.ok()) {
      EmitTraceError(text.status());
      return kExitRuntime;
    }
    checkpoint = PositionFromState(*text);
  }
  ConnectorContext context;
  context.name = o.connector;
  context.topic = o.connector;
  auto made = d.make_source(bound, context);
  if (!made.ok()) {
    EmitTraceError(made.status());
    return kExitRuntime;
  }
  std::unique_ptr<Source> source = std::move(made).value();
  if (Status s = source->Open(checkpoint); !s.ok()) {
    EmitTraceError(s);
    return kExitRuntime;
  }
  std::stop_source stop;
  while (true) {
    auto batch = source->Poll(1000, std::chrono::milliseconds(500), stop.get_token());
    if (!batch.ok()) {
      EmitTraceError(batch.status());
      (void)source->Close();
      return kExitRuntime;
    }
    for (const Record& r : batch->records) {
      const std::string value = r.value.value_or("null");
      Emit(R"({"type":"RECORD","record":{"stream":)" +
           Quoted(r.topic.empty() ? o.connector : r.topic) + R"(,"data":)" +
           (IsJsonObject(value) ? value : R"({"value":)" + Quoted(value) + "}") +
           R"(,"emitted_at":)" + std::to_string(r.timestamp_ms > 0 ? r.timestamp_ms : NowMs()) +
           "}}");
    }
    if (!batch->position.empty()) {
      Emit(R"({"type":"STATE","state":{"type":"LEGACY","data":{"position":)" +
           Quoted(batch->position) + "}}}");
      (void)source->Acknowledge(batch->position);
    }
    if (batch->finished) break;
  }
  (void)source->Close();
  return kExitOk;
}

int Airbyte(const GlobalOptions& g, const AirbyteOptions& o) {
  log::Init(g.log_format == "json" ? log::Format::kJson : log::Format::kText,
            log::ParseLevel(g.log_level, log::Level::kInfo));
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, o.connector);
  if (d == nullptr) {
    std::fprintf(stderr, "rivven-connect airbyte: no source connector '%s'\n", o.connector.c_str());
    return kExitUsage;
  }
  if (o.command == "spec") {
    Emit(
        R"({"type":"SPEC","spec":{)"
        R"("supportsIncremental":true,"connectionSpecification":)" +
        Compact(config::ToJsonSchema(d->schema, d->name + " source config", d->description)) + "}}");
    return kExitOk;
  }
  auto bound = LoadConfig(*d, o.config_path);
  if (o.command == "check") {
    Status s = bound.ok() ? (d->check ? d->check(*bound) : Status::Ok()) : bound.status();
    Emit(s.ok()
             ? R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}})"
             : R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":)" +
                   Quoted(s.message()) + "}}");
    return kExitOk;
  }
  if (!bound.ok()) {
    EmitTraceError(bound.status());
    return kExitRuntime;
  }
  if (o.command == "discover") {
    std::vector<StreamDescription> streams{{o.connector, "{}"}};
    if (d->discover) {
      auto found = d->discover(*bound);
      if (!found.ok()) {
        EmitTraceError(found.status());
        return kExitRuntime;
      }
      streams = std::move(found).value();
    }
    std::string out = R"({"type":"CATALOG","catalog":{"streams":[)";
    for (size_t i = 0; i < streams.size(); ++i) {
      out += (i > 0 ? "," : "");
      out +=
          R"({"name":)" + Quoted(streams[i].name) + R"(,"json_schema":)" +
          Compact(streams[i].json_schema.empty() ? "{}" : streams[i].json_schema) +
          R"(,"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":true})";
    }
    Emit(out + "]}}");
    return kExitOk;
  }
  return Read(*d, *bound, o);
}

}  // namespace

void AddAirbyteCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto o = std::make_shared<AirbyteOptions>();
  auto* cmd =
      app.add_subcommand("airbyte", "run one of our sources as an Airbyte source connector");
  cmd->add_option("CONNECTOR", o->connector, "a source connector, e.g. datagen")->required();
  cmd->add_option("COMMAND", o->command, "spec, check, discover or read")
      ->required()
      ->check(CLI::IsMember({"spec", "check", "discover", "read"}));
  cmd->add_option("--config", o->config_path, "the connector's config (JSON)");
  cmd->add_option("--catalog", o->catalog_path,
                  "the configured catalog (read; every stream is read)");
  cmd->add_option("--state", o->state_path, "a state from an earlier read");
  cmd->footer(
      "Airbyte protocol messages go to stdout, one per line; logs to stderr. The state is "
      "{\"position\": <the source's checkpoint>}.");
  cmd->callback([&g, &action, o] { action = [&g, o] { return Airbyte(g, *o); }; });
}

}  // namespace rivven::app
