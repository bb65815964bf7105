#include "connectors/airbyte/airbyte_source.h"

#include "base/clock.h"
#include "base/log.h"
#include "connectors/registry.h"

namespace rivven {
namespace airbyte {
namespace {

constexpr std::string_view kLog = "airbyte";
constexpr std::chrono::milliseconds kExitWait{30000};

void LogMessage(std::string_view component, const Message& m) {
  const std::string& l = m.level;
  const log::Level level = l == "FATAL" || l == "ERROR" ? log::Level::kError
                           : l == "WARN"                ? log::Level::kWarn
                           : l == "INFO"                ? log::Level::kInfo
                                                        : log::Level::kDebug;
  if (log::Enabled(level)) log::Write(level, component, m.message);
}

ChildProcess::LineSink StderrToLog(std::string component) {
  return [component = std::move(component)](std::string_view line) {
    if (!line.empty()) log::Info(component, "stderr: {}", line);
  };
}

std::string Clip(std::string_view text) {
  return text.size() > 200 ? std::string(text.substr(0, 200)) + "..." : std::string(text);
}

/// The child's exit as an error (nullopt when it exited 0).
std::optional<Status> ExitFailure(const std::string& verb, int code, const ChildProcess& child) {
  if (code == 0) return std::nullopt;
  std::string text = "the Airbyte source's `" + verb + "` exited with code " + std::to_string(code);
  if (std::string err = child.LastStderr(); !err.empty())
    text += "; its last stderr lines:\n" + err;
  return Status::Unavailable(text);
}

/// Runs one protocol command to its end and returns its first message of type `want`.
Result<Message> RunCommand(const AirbyteConfig& config, const std::string& verb, MessageType want) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<SecretDir> dir, SecretDir::Create());
  std::vector<std::string> args{verb};
  if (verb != "spec") {
    RC_RETURN_IF_ERROR(dir->Write("config.json", config.source_config).status());
    args.push_back("--config");
    args.push_back("config.json");
  }
  RC_ASSIGN_OR_RETURN(
      std::unique_ptr<ChildProcess> child,
      ChildProcess::Start(CommandLine(config, dir->path(), args), StderrToLog(std::string(kLog))));
  const auto deadline = std::chrono::steady_clock::now() + config.timeout;
  std::optional<Message> found;
  std::optional<Status> trace;
  std::string line;
  while (true) {
    RC_ASSIGN_OR_RETURN(ChildProcess::Read r, child->ReadLine(&line, deadline));
    if (r == ChildProcess::Read::kEnd) break;
    if (r == ChildProcess::Read::kTimeout) {
      return Status::Timeout("the Airbyte source's `" + verb + "` did not finish within " +
                             std::to_string(config.timeout.count() / 1000) + " s (timeout_secs)");
    }
    auto m = ParseMessage(line);
    if (!m.ok()) {
      log::Warn(kLog, "skipping a line that is not an Airbyte message ({}): {}",
                m.status().message(), Clip(line));
      continue;
    }
    if (m->type == MessageType::kLog) LogMessage(kLog, *m);
    if (m->type == MessageType::kTrace && m->trace_type == "ERROR" && !trace)
      trace = TraceError(*m);
    if (m->type == want && !found) found = std::move(*m);
  }
  RC_ASSIGN_OR_RETURN(int code, child->Wait(kExitWait));
  if (trace) return *trace;
  if (auto failed = ExitFailure(verb, code, *child)) return *failed;
  if (!found) {
    return Status::FailedPrecondition("the Airbyte source's `" + verb + "` printed no " +
                                      (want == MessageType::kSpec      ? "SPEC"
                                       : want == MessageType::kCatalog ? "CATALOG"
                                                                       : "CONNECTION_STATUS") +
                                      " message");
  }
  return std::move(*found);
}

}  // namespace

Result<std::string> RunSpec(const AirbyteConfig& config) {
  RC_ASSIGN_OR_RETURN(Message m, RunCommand(config, "spec", MessageType::kSpec));
  return m.payload;
}

Status RunCheck(const AirbyteConfig& config) {
  RC_ASSIGN_OR_RETURN(Message m, RunCommand(config, "check", MessageType::kConnectionStatus));
  if (m.status == "SUCCEEDED") return Status::Ok();
  return Status::FailedPrecondition("the Airbyte source's check failed" +
                                    (m.message.empty() ? std::string() : ": " + m.message));
}

Result<std::string> RunDiscover(const AirbyteConfig& config) {
  RC_ASSIGN_OR_RETURN(Message m, RunCommand(config, "discover", MessageType::kCatalog));
  return m.payload;
}

AirbyteSource::AirbyteSource(AirbyteConfig config, std::string name, std::string topic)
    : config_(std::move(config)), name_(std::move(name)), topic_(std::move(topic)) {}

AirbyteSource::~AirbyteSource() = default;

Status AirbyteSource::Open(const std::optional<std::string>& checkpoint) {
  if (checkpoint && !checkpoint->empty()) {
    RC_ASSIGN_OR_RETURN(state_, StateStore::FromCheckpoint(*checkpoint));
  }
  RC_ASSIGN_OR_RETURN(std::string discovered, RunDiscover(config_));
  RC_ASSIGN_OR_RETURN(catalog_, BuildConfiguredCatalog(discovered, config_.streams));
  RC_ASSIGN_OR_RETURN(dir_, SecretDir::Create());
  RC_RETURN_IF_ERROR(dir_->Write("config.json", config_.source_config).status());
  RC_RETURN_IF_ERROR(dir_->Write("catalog.json", catalog_.json).status());
  std::vector<std::string> args{"read", "--config", "config.json", "--catalog", "catalog.json"};
  if (auto state = state_.FileText()) {
    RC_RETURN_IF_ERROR(dir_->Write("state.json", *state).status());
    args.push_back("--state");
    args.push_back("state.json");
  }
  std::string streams;
  for (const auto& [id, mode] : catalog_.modes) {
    streams += (streams.empty() ? "" : ", ") + (id.ns.empty() ? id.name : id.ns + "." + id.name) +
               " (" + mode + ")";
  }
  log::Info(name_, "reading {}{}", streams, state_.empty() ? "" : " from the stored state");
  RC_ASSIGN_OR_RETURN(
      child_, ChildProcess::Start(CommandLine(config_, dir_->path(), args), StderrToLog(name_)));
  return Status::Ok();
}

std::string AirbyteSource::TopicOf(const StreamId& stream) const {
  const size_t at = topic_.find("{stream}");
  if (at == std::string::npos) return "";
  // Topic names allow letters, digits, '.', '_' and '-'; anything else in a stream name is '_'.
  std::string name = stream.name;
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  std::string topic = topic_;
  topic.replace(at, 8, name);
  return topic;
}

bool AirbyteSource::Handle(const std::string& line, SourceBatch* batch) {
  auto parsed = ParseMessage(line, &catalog_.primary_keys);
  if (!parsed.ok()) {
    log::Warn(name_, "skipping a line that is not an Airbyte message ({}): {}",
              parsed.status().message(), Clip(line));
    return false;
  }
  Message& m = *parsed;
  switch (m.type) {
    case MessageType::kRecord: {
      Record r;
      r.value = std::move(m.data);
      r.key = std::move(m.key);
      r.timestamp_ms = m.emitted_at > 0 ? m.emitted_at : NowMs();
      r.topic = TopicOf(m.stream);
      batch->records.push_back(std::move(r));
      ++records_;
      return false;
    }
    case MessageType::kState:
      if (Status s = state_.Apply(m.state); !s.ok()) {
        log::Warn(name_, "ignoring a STATE message: {}", s.message());
        return false;
      }
      batch->position = state_.ToCheckpoint();
      return true;  // the records before it first, then this position
    case MessageType::kLog:
      LogMessage(name_, m);
      return false;
    case MessageType::kTrace:
      if (m.trace_type != "ERROR") return false;
      failure_ = TraceError(m);
      return true;
    default:
      log::Debug(name_, "ignoring a {} message", m.type_name);
      return false;
  }
}

Result<SourceBatch> AirbyteSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                        std::stop_token stop) {
  SourceBatch batch;
  if (failure_) {
    child_.reset();
    dir_.reset();
    return *failure_;
  }
  if (finished_ || !child_) {
    batch.finished = true;
    return batch;
  }
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  std::string line;
  while (batch.records.size() < max_records) {
    RC_ASSIGN_OR_RETURN(ChildProcess::Read r, child_->ReadLine(&line, deadline, stop));
    if (r == ChildProcess::Read::kTimeout) break;
    if (r == ChildProcess::Read::kLine) {
      if (Handle(line, &batch)) break;
      continue;
    }
    RC_ASSIGN_OR_RETURN(int code, child_->Wait(kExitWait));
    if (!failure_) failure_ = ExitFailure("read", code, *child_);
    child_.reset();
    dir_.reset();
    if (!failure_) {
      log::Info(name_, "the sync finished: {} records", records_);
      finished_ = true;
      batch.finished = true;
    }
    break;
  }
  if (failure_ && batch.records.empty()) {
    child_.reset();
    dir_.reset();
    return *failure_;
  }
  return batch;
}

Status AirbyteSource::Close() {
  child_.reset();
  dir_.reset();
  return Status::Ok();
}

}  // namespace airbyte

namespace {

ConnectorDescriptor Descriptor(bool docker) {
  ConnectorDescriptor d;
  d.name = docker ? "airbyte-docker" : "airbyte";
  d.kind = ConnectorKind::kSource;
  d.description = docker
                      ? "Runs an Airbyte source image with docker (spec, check, discover, read): "
                        "records per stream, Airbyte state as the checkpoint"
                      : "Runs a local Airbyte source executable (spec, check, discover, read): "
                        "records per stream, Airbyte state as the checkpoint";
  d.schema = docker ? airbyte::AirbyteDockerSchema() : airbyte::AirbyteSchema();
  d.bounded_when_configured = true;
  d.validate = airbyte::ValidateAirbyteConfig;
  d.make_source = [docker](const config::BoundConfig& bound,
                           const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(airbyte::AirbyteConfig c, airbyte::AirbyteConfigFromBound(bound, docker));
    return std::unique_ptr<Source>(
        std::make_unique<airbyte::AirbyteSource>(std::move(c), context.name, context.topic));
  };
  d.check = [docker](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(airbyte::AirbyteConfig c, airbyte::AirbyteConfigFromBound(bound, docker));
    return airbyte::RunCheck(c);
  };
  d.discover =
      [docker](const config::BoundConfig& bound) -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(airbyte::AirbyteConfig c, airbyte::AirbyteConfigFromBound(bound, docker));
    RC_ASSIGN_OR_RETURN(std::string catalog, airbyte::RunDiscover(c));
    return airbyte::DescribeStreams(catalog);
  };
  return d;
}

}  // namespace

void RegisterAirbyte(Registry& registry) {
  registry.Add(Descriptor(false));
  registry.Add(Descriptor(true));
}

}  // namespace rivven
