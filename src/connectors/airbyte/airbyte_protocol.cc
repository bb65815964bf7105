#include "connectors/airbyte/airbyte_protocol.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "base/json_escape.h"

namespace rivven::airbyte {
namespace {

using rapidjson::Value;

std::string JsonText(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const Value* Member(const Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string StringMember(const Value& v, const char* name) {
  const Value* m = Member(v, name);
  return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}

const Value* ObjectMember(const Value& v, const char* name) {
  const Value* m = Member(v, name);
  return m != nullptr && m->IsObject() ? m : nullptr;
}

StreamId IdOf(const Value& descriptor) {
  return StreamId{StringMember(descriptor, "name"), StringMember(descriptor, "namespace")};
}

std::string Describe(const StreamId& id) { return id.ns.empty() ? id.name : id.ns + "." + id.name; }

/// A field path list (["id"] or [["id"],["a","b"]]) as paths.
std::vector<std::vector<std::string>> Paths(const Value* v) {
  std::vector<std::vector<std::string>> out;
  if (v == nullptr || !v->IsArray()) return out;
  for (const auto& p : v->GetArray()) {
    std::vector<std::string> path;
    if (p.IsString()) path.emplace_back(p.GetString(), p.GetStringLength());
    if (p.IsArray()) {
      for (const auto& f : p.GetArray()) {
        if (f.IsString()) path.emplace_back(f.GetString(), f.GetStringLength());
      }
    }
    if (!path.empty()) out.push_back(std::move(path));
  }
  return out;
}

std::string KeyOf(const Value& data, const std::vector<std::vector<std::string>>& paths) {
  std::string out = "{";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i > 0) out += ',';
    std::string name;
    const Value* v = &data;
    for (const auto& f : paths[i]) {
      name += name.empty() ? f : "." + f;
      v = v != nullptr ? Member(*v, f.c_str()) : nullptr;
    }
    AppendJsonString(out, name);
    out += ':';
    out += v != nullptr ? JsonText(*v) : "null";
  }
  out += '}';
  return out;
}

MessageType TypeOf(std::string_view name) {
  if (name == "RECORD") return MessageType::kRecord;
  if (name == "STATE") return MessageType::kState;
  if (name == "LOG") return MessageType::kLog;
  if (name == "TRACE") return MessageType::kTrace;
  if (name == "SPEC") return MessageType::kSpec;
  if (name == "CONNECTION_STATUS") return MessageType::kConnectionStatus;
  if (name == "CATALOG") return MessageType::kCatalog;
  return MessageType::kUnknown;
}

Result<rapidjson::Document> ParseObject(std::string_view text, const char* what) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) {
    return Status::InvalidArgument(std::string(what) + " is not a JSON object");
  }
  return d;
}

bool Contains(const Value* list, std::string_view item) {
  if (list == nullptr || !list->IsArray()) return false;
  for (const auto& v : list->GetArray()) {
    if (v.IsString() && item == v.GetString()) return true;
  }
  return false;
}

}  // namespace

Result<Message> ParseMessage(std::string_view line, const PrimaryKeys* keys) {
  rapidjson::Document d;
  d.Parse(line.data(), line.size());
  if (d.HasParseError() || !d.IsObject()) {
    return Status::InvalidArgument("not a JSON object");
  }
  const Value* type = Member(d, "type");
  if (type == nullptr || !type->IsString()) {
    return Status::InvalidArgument("an Airbyte message without a string \"type\"");
  }
  Message m;
  m.type_name = type->GetString();
  m.type = TypeOf(m.type_name);
  auto missing = [&](const char* part) {
    return Status::InvalidArgument("a " + m.type_name + " message without " + part);
  };
  switch (m.type) {
    case MessageType::kRecord: {
      const Value* record = ObjectMember(d, "record");
      if (record == nullptr) return missing("\"record\"");
      m.stream = StreamId{StringMember(*record, "stream"), StringMember(*record, "namespace")};
      const Value* data = ObjectMember(*record, "data");
      if (m.stream.name.empty() || data == nullptr) return missing("record.stream and record.data");
      m.data = JsonText(*data);
      if (const Value* at = Member(*record, "emitted_at"); at != nullptr && at->IsNumber()) {
        // A double outside int64's range (1.7e52) cannot be converted; it counts as absent.
        constexpr double kLimit = 9.2e18;
        if (at->IsInt64()) {
          m.emitted_at = TimestampMs(at->GetInt64());
        } else if (const double v = at->GetDouble(); v > -kLimit && v < kLimit) {
          m.emitted_at = TimestampMs(static_cast<int64_t>(v));
        }
      }
      if (keys != nullptr) {
        auto it = keys->find(m.stream);
        if (it != keys->end() && !it->second.empty()) m.key = KeyOf(*data, it->second);
      }
      break;
    }
    case MessageType::kState: {
      const Value* state = ObjectMember(d, "state");
      if (state == nullptr) return missing("\"state\"");
      m.state = JsonText(*state);
      break;
    }
    case MessageType::kLog: {
      const Value* log = ObjectMember(d, "log");
      if (log == nullptr) return missing("\"log\"");
      m.level = StringMember(*log, "level");
      m.message = StringMember(*log, "message");
      break;
    }
    case MessageType::kTrace: {
      const Value* trace = ObjectMember(d, "trace");
      if (trace == nullptr) return missing("\"trace\"");
      m.trace_type = StringMember(*trace, "type");
      if (const Value* error = ObjectMember(*trace, "error")) {
        m.message = StringMember(*error, "message");
        m.internal_message = StringMember(*error, "internal_message");
        m.failure_type = StringMember(*error, "failure_type");
      }
      break;
    }
    case MessageType::kSpec: {
      const Value* spec = ObjectMember(d, "spec");
      if (spec == nullptr) return missing("\"spec\"");
      m.payload = JsonText(*spec);
      break;
    }
    case MessageType::kConnectionStatus: {
      const Value* cs = ObjectMember(d, "connectionStatus");
      if (cs == nullptr) return missing("\"connectionStatus\"");
      m.status = StringMember(*cs, "status");
      m.message = StringMember(*cs, "message");
      break;
    }
    case MessageType::kCatalog: {
      const Value* catalog = ObjectMember(d, "catalog");
      if (catalog == nullptr) return missing("\"catalog\"");
      m.payload = JsonText(*catalog);
      break;
    }
    case MessageType::kUnknown:
      break;
  }
  return m;
}

Status TraceError(const Message& message) {
  std::string text = "the Airbyte source reported an error";
  if (!message.failure_type.empty()) text += " (" + message.failure_type + ")";
  text += ": " + (message.message.empty() ? message.internal_message : message.message);
  if (!message.message.empty() && !message.internal_message.empty()) {
    text += " [" + message.internal_message + "]";
  }
  if (message.failure_type == "transient_error") return Status::Unavailable(text);
  return Status::FailedPrecondition(text);
}

Result<ConfiguredCatalog> BuildConfiguredCatalog(std::string_view catalog,
                                                 const std::vector<StreamSelection>& selection) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(catalog, "the discovered catalog"));
  const Value* streams = Member(d, "streams");
  if (streams == nullptr || !streams->IsArray()) {
    return Status::InvalidArgument("the discovered catalog has no \"streams\" array");
  }
  ConfiguredCatalog out;
  std::string json = "{\"streams\":[";
  std::vector<bool> used(selection.size(), false);
  std::string available;
  bool first = true;
  for (const auto& stream : streams->GetArray()) {
    const StreamId id = IdOf(stream);
    if (id.name.empty())
      return Status::InvalidArgument("the discovered catalog has a stream without a name");
    available += (available.empty() ? "" : ", ") + Describe(id);
    const StreamSelection* chosen = nullptr;
    for (size_t i = 0; i < selection.size(); ++i) {
      if (selection[i].name == id.name || selection[i].name == Describe(id)) {
        chosen = &selection[i];
        used[i] = true;
      }
    }
    if (!selection.empty() && chosen == nullptr) continue;
    const Value* modes = Member(stream, "supported_sync_modes");
    const Value* defined_cursor = Member(stream, "source_defined_cursor");
    const bool source_cursor =
        defined_cursor != nullptr && defined_cursor->IsBool() && defined_cursor->GetBool();
    const bool incremental_ok = Contains(modes, "incremental");
    std::string mode = chosen != nullptr ? chosen->sync_mode : "";
    std::vector<std::string> cursor;
    if (chosen != nullptr) cursor = chosen->cursor_field;
    if (mode.empty()) {
      mode = incremental_ok && (source_cursor || !cursor.empty()) ? "incremental" : "full_refresh";
    }
    if (mode == "incremental") {
      if (!incremental_ok) {
        return Status::InvalidArgument("stream '" + Describe(id) +
                                       "' does not support incremental sync");
      }
      if (cursor.empty() && !source_cursor) {
        if (const Value* dc = Member(stream, "default_cursor_field");
            dc != nullptr && dc->IsArray()) {
          for (const auto& f : dc->GetArray()) {
            if (f.IsString()) cursor.emplace_back(f.GetString(), f.GetStringLength());
          }
        }
        if (cursor.empty()) {
          return Status::InvalidArgument("stream '" + Describe(id) +
                                         "': incremental sync needs a cursor_field (the source "
                                         "defines none)");
        }
      }
    } else if (modes != nullptr && modes->IsArray() && !Contains(modes, mode)) {
      return Status::InvalidArgument("stream '" + Describe(id) + "' does not support " + mode +
                                     " sync");
    }
    auto pk = Paths(Member(stream, "source_defined_primary_key"));
    if (!pk.empty()) out.primary_keys[id] = pk;
    out.modes.emplace_back(id, mode);
    json += first ? "" : ",";
    first = false;
    json += "{\"stream\":" + JsonText(stream) + ",\"sync_mode\":";
    AppendJsonString(json, mode);
    json += ",\"destination_sync_mode\":\"append\"";
    if (!cursor.empty()) {
      json += ",\"cursor_field\":[";
      for (size_t i = 0; i < cursor.size(); ++i) {
        if (i > 0) json += ',';
        AppendJsonString(json, cursor[i]);
      }
      json += ']';
    }
    if (!pk.empty()) {
      json += ",\"primary_key\":" + JsonText(*Member(stream, "source_defined_primary_key"));
    }
    json += '}';
  }
  json += "]}";
  for (size_t i = 0; i < selection.size(); ++i) {
    if (!used[i]) {
      return Status::InvalidArgument("stream '" + selection[i].name +
                                     "' is not in the source's catalog (it has: " + available +
                                     ")");
    }
  }
  if (first) return Status::InvalidArgument("the source's catalog has no streams");
  out.json = std::move(json);
  return out;
}

Result<std::vector<StreamDescription>> DescribeStreams(std::string_view catalog) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(catalog, "the discovered catalog"));
  const Value* streams = Member(d, "streams");
  if (streams == nullptr || !streams->IsArray()) {
    return Status::InvalidArgument("the discovered catalog has no \"streams\" array");
  }
  std::vector<StreamDescription> out;
  for (const auto& stream : streams->GetArray()) {
    StreamDescription s;
    s.name = Describe(IdOf(stream));
    const Value* schema = ObjectMember(stream, "json_schema");
    s.json_schema = schema != nullptr ? JsonText(*schema) : "{}";
    out.push_back(std::move(s));
  }
  return out;
}

Result<StateStore> StateStore::FromCheckpoint(std::string_view checkpoint) {
  rapidjson::Document d;
  d.Parse(checkpoint.data(), checkpoint.size());
  if (d.HasParseError() || !d.IsObject()) {
    return Status::Corruption("airbyte checkpoint is not a JSON object");
  }
  StateStore store;
  if (const Value* states = Member(d, "states"); states != nullptr && states->IsArray()) {
    for (const auto& s : states->GetArray()) {
      if (!store.Apply(JsonText(s)).ok()) {
        return Status::Corruption(
            "airbyte checkpoint has a state that is not a STREAM or GLOBAL one");
      }
    }
  }
  if (const Value* legacy = Member(d, "legacy")) store.legacy_ = JsonText(*legacy);
  return store;
}

Status StateStore::Apply(std::string_view state) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(state, "the STATE message's state"));
  const std::string type = StringMember(d, "type");
  if (type == "STREAM") {
    const Value* stream = ObjectMember(d, "stream");
    const Value* descriptor =
        stream != nullptr ? ObjectMember(*stream, "stream_descriptor") : nullptr;
    if (descriptor == nullptr || IdOf(*descriptor).name.empty()) {
      return Status::InvalidArgument("a STREAM state without stream.stream_descriptor.name");
    }
    streams_[IdOf(*descriptor)] = "{\"type\":\"STREAM\",\"stream\":" + JsonText(*stream) + "}";
    return Status::Ok();
  }
  if (type == "GLOBAL") {
    const Value* global = ObjectMember(d, "global");
    if (global == nullptr) return Status::InvalidArgument("a GLOBAL state without \"global\"");
    global_ = "{\"type\":\"GLOBAL\",\"global\":" + JsonText(*global) + "}";
    return Status::Ok();
  }
  if (type.empty() || type == "LEGACY") {
    const Value* data = Member(d, "data");
    if (data == nullptr) return Status::InvalidArgument("a legacy state without \"data\"");
    legacy_ = JsonText(*data);
    return Status::Ok();
  }
  return Status::InvalidArgument("a state of unknown type '" + type + "'");
}

std::string StateStore::ToCheckpoint() const {
  std::string out = "{";
  if (global_ || !streams_.empty()) {
    out += "\"states\":[";
    bool first = true;
    if (global_) {
      out += *global_;
      first = false;
    }
    for (const auto& [id, s] : streams_) {
      out += first ? "" : ",";
      first = false;
      out += s;
    }
    out += ']';
  }
  if (legacy_) {
    out += out.size() > 1 ? ",\"legacy\":" : "\"legacy\":";
    out += *legacy_;
  }
  out += '}';
  return out;
}

std::optional<std::string> StateStore::FileText() const {
  if (global_ || !streams_.empty()) {
    std::string out = "[";
    if (global_) out += *global_;
    for (const auto& [id, s] : streams_) {
      out += out.size() > 1 ? "," : "";
      out += s;
    }
    return out + "]";
  }
  return legacy_;
}

}  // namespace rivven::airbyte
