#include "connectors/airbyte/airbyte_config.h"

#include <unistd.h>

#include "base/json_escape.h"

namespace rivven::airbyte {
namespace {

using config::Key;
using config::Node;
using config::ValueType;

/// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

/// A plain scalar as JSON: null, true/false, a decimal number, else a string.
void AppendScalar(std::string& out, const Node& node) {
  const std::string& s = node.scalar;
  if (!node.quoted) {
    if (s == "null" || s == "~" || s.empty()) {
      out += "null";
      return;
    }
    if (s == "true" || s == "false") {
      out += s;
      return;
    }
    if (IsJsonNumber(s)) {
      out += s;
      return;
    }
  }
  AppendJsonString(out, s);
}

void AppendJson(std::string& out, const Node& node) {
  switch (node.kind) {
    case Node::Kind::kNull:
      out += "null";
      return;
    case Node::Kind::kScalar:
      AppendScalar(out, node);
      return;
    case Node::Kind::kSequence:
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ',';
        AppendJson(out, node.items[i]);
      }
      out += ']';
      return;
    case Node::Kind::kMap:
      out += '{';
      for (size_t i = 0; i < node.entries.size(); ++i) {
        if (i > 0) out += ',';
        AppendJsonString(out, node.entries[i].first);
        out += ':';
        AppendJson(out, node.entries[i].second);
      }
      out += '}';
      return;
  }
}

/// `streams:` — a list of names or of {name, sync_mode, cursor_field}.
std::vector<StreamSelection> Streams(const config::BoundConfig& bound, config::Diagnostics* diags) {
  std::vector<StreamSelection> out;
  const Node* node = bound.Raw("streams");
  const std::string path = bound.path() + ".streams";
  if (node == nullptr || node->IsNull()) return out;
  if (!node->IsSequence()) {
    diags->Add(path, node->mark,
               "expected a list of streams (names, or maps with name and sync_mode)");
    return out;
  }
  for (size_t i = 0; i < node->items.size(); ++i) {
    const Node& item = node->items[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    StreamSelection s;
    if (item.IsScalar()) {
      s.name = item.scalar;
    } else if (item.IsMap()) {
      for (size_t k = 0; k < item.entries.size(); ++k) {
        const auto& [key, value] = item.entries[k];
        const config::Mark mark = item.key_marks.size() > k ? item.key_marks[k] : item.mark;
        if (key == "name" && value.IsScalar()) {
          s.name = value.scalar;
        } else if (key == "sync_mode" && value.IsScalar() &&
                   (value.scalar == "incremental" || value.scalar == "full_refresh")) {
          s.sync_mode = value.scalar;
        } else if (key == "cursor_field" && (value.IsScalar() || value.IsSequence())) {
          if (value.IsScalar()) s.cursor_field.push_back(value.scalar);
          for (const auto& f : value.items) s.cursor_field.push_back(f.scalar);
        } else if (key == "name" || key == "sync_mode" || key == "cursor_field") {
          diags->Add(item_path + "." + key, value.mark,
                     key == "sync_mode" ? "expected incremental or full_refresh"
                     : key == "name"    ? "expected a stream name"
                                     : "expected a field name or a list of them (a nested path)");
        } else {
          diags->Add(item_path + "." + key, mark,
                     "unknown key '" + key + "' (a stream has name, sync_mode and cursor_field)");
        }
      }
    }
    if (s.name.empty()) {
      diags->Add(item_path, item.mark, "a stream needs a name");
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

void AddCommon(config::Schema& s) {
  s.Add(Key("config", ValueType::kAny,
            "The connector's own configuration (its spec's connectionSpecification), passed as "
            "config.json in a private 0600 file that is removed after each command. Quote a "
            "value to keep it a string.")
            .Secret());
  s.Add(Key("streams", ValueType::kAny,
            "Streams to read: names, or maps {name, sync_mode: incremental|full_refresh, "
            "cursor_field}. Absent: every discovered stream, incremental where the source "
            "defines a cursor, else full_refresh."));
  s.Add(Key("timeout_secs", ValueType::kInt, "Deadline of spec, check and discover.")
            .Default("300")
            .Min(1));
}

}  // namespace

config::Schema AirbyteSchema() {
  config::Schema s;
  s.Add(Key("command", ValueType::kStringList,
            "The connector executable and its arguments (e.g. [node, source.js]); the protocol "
            "command (spec, check, discover, read) and its file arguments follow them.")
            .Required());
  AddCommon(s);
  return s;
}

config::Schema AirbyteDockerSchema() {
  config::Schema s;
  s.Add(
      Key("image", ValueType::kString, "The connector's image, e.g. airbyte/source-stripe:latest.")
          .Required());
  AddCommon(s);
  s.Add(Key("docker_args", ValueType::kStringList,
            "Extra `docker run` arguments before the image (e.g. [--network, host])."));
  s.Add(Key("run_as_current_user", ValueType::kBool,
            "Run the container as our uid:gid, so it can read the 0600 files it is given.")
            .Default("true"));
  return s;
}

void ValidateAirbyteConfig(const config::BoundConfig& bound, config::Diagnostics* diags) {
  if (const Node* c = bound.Raw("config"); c != nullptr && !c->IsNull() && !c->IsMap()) {
    diags->Add(bound.path() + ".config", c->mark, "expected a map (the connector's configuration)");
  }
  (void)Streams(bound, diags);
}

Result<AirbyteConfig> AirbyteConfigFromBound(const config::BoundConfig& bound, bool docker) {
  config::Diagnostics diags;
  ValidateAirbyteConfig(bound, &diags);
  if (!diags.empty()) {
    const auto& d = diags.items().front();
    return Status::InvalidArgument(d.path + " (line " + std::to_string(d.mark.line) +
                                   "): " + d.message);
  }
  AirbyteConfig c;
  c.docker = docker;
  if (docker) {
    c.image = bound.GetString("image");
    c.docker_args = bound.GetStringList("docker_args");
    c.run_as_current_user = bound.GetBool("run_as_current_user");
    if (c.image.empty())
      return Status::InvalidArgument(bound.path() + ".image: an image is required");
  } else {
    c.command = bound.GetStringList("command");
    if (c.command.empty()) {
      return Status::InvalidArgument(bound.path() +
                                     ".command: the connector's executable is required");
    }
  }
  const Node* sc = bound.Raw("config");
  c.source_config = "{}";
  if (sc != nullptr && sc->IsMap()) {
    c.source_config.clear();
    AppendJson(c.source_config, *sc);
  }
  c.streams = Streams(bound, &diags);
  c.timeout = std::chrono::seconds(bound.GetInt("timeout_secs"));
  return c;
}

std::vector<std::string> CommandLine(const AirbyteConfig& config, const std::string& dir,
                                     const std::vector<std::string>& protocol_args) {
  std::vector<std::string> argv;
  std::string files_at = dir;
  if (config.docker) {
    argv = {"docker", "run", "--rm", "-i"};
    if (config.run_as_current_user) {
      argv.push_back("--user");
      argv.push_back(std::to_string(::getuid()) + ":" + std::to_string(::getgid()));
    }
    argv.push_back("-v");
    argv.push_back(dir + ":" + kContainerDir + ":ro");
    argv.insert(argv.end(), config.docker_args.begin(), config.docker_args.end());
    argv.push_back(config.image);
    files_at = kContainerDir;
  } else {
    argv = config.command;
  }
  for (const auto& a : protocol_args) {
    const bool file = a.size() > 5 && a.ends_with(".json");
    argv.push_back(file ? files_at + "/" + a : a);
  }
  return argv;
}

}  // namespace rivven::airbyte
