#include "transforms/event_router.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "transforms/record_context.h"
#include "transforms/regex_router.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

enum class Placement { kHeader, kEnvelope };

struct AdditionalField {
  JsonPath field;
  Placement placement;
  std::string alias;
};

enum class OnUpdate { kWarn, kError, kFatal };

struct EventRouterConfig {
  JsonPath id, key, payload;
  std::optional<JsonPath> timestamp;
  JsonPath route_by;
  RegexRewrite route;
  std::vector<AdditionalField> additional;
  bool error_on_missing = true;
  bool expand_json = false;
  bool tombstone_on_empty = false;
  OnUpdate on_update = OnUpdate::kWarn;
};

bool BlankPayload(const rapidjson::Value& payload) {
  if (payload.IsNull()) return true;
  if (!payload.IsString()) return false;
  for (char c : StringView(payload)) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

/// Turns outbox-table change events into the events they carry. Built once from config;
/// Apply runs on the chain's thread.
class EventRouter final : public Transform {
 public:
  explicit EventRouter(EventRouterConfig config) : c_(std::move(config)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    if (record.value_is_null()) return Outcome::kDrop;  // tombstones of the outbox table
    rapidjson::Value* envelope = record.Value();
    if (envelope == nullptr) {
      return Status::InvalidArgument("EventRouter: " + record.value_error());
    }
    // Anything but a change event (heartbeats, schema changes, other JSON) passes unchanged.
    const rapidjson::Value* op = envelope->IsObject() ? FindMember(*envelope, "op") : nullptr;
    if (op == nullptr || !op->IsString() || FindMember(*envelope, "after") == nullptr) {
      return Outcome::kKeep;
    }
    const std::string_view code = StringView(*op);
    if (code == "u") return UnexpectedUpdate(record);
    if (code != "c" && code != "r") return Outcome::kDrop;  // deletes, truncates, messages

    rapidjson::Value* row = FindMember(*envelope, "after");
    if (!row->IsObject()) {
      return Status::InvalidArgument("EventRouter: the '" + std::string(code) +
                                     "' event has no 'after' row: " + Shown(*row));
    }
    // Read and check everything before changing anything, so a failure leaves the record as
    // it was for the error policy.
    rapidjson::Value* payload = GetPath(*row, c_.payload);
    if (payload == nullptr) return Missing("payload", c_.payload);
    const rapidjson::Value* id = GetPath(*row, c_.id);
    if (id == nullptr) return Missing("event id", c_.id);
    const rapidjson::Value* route_by = GetPath(*row, c_.route_by);
    if (route_by == nullptr || route_by->IsNull()) return Missing("route.by.field", c_.route_by);
    const std::string routed_by = HeaderBytes(*route_by);
    std::string topic = c_.route.Rewrite(routed_by).value_or(routed_by);
    if (Status valid = CheckTopicName(topic); !valid.ok()) {
      return Status::InvalidArgument("EventRouter: " + c_.route_by.text() + " '" + routed_by +
                                     "' routes to an " + valid.message());
    }
    std::optional<TimestampMs> timestamp;
    if (c_.timestamp) {
      const rapidjson::Value* ts = GetPath(*row, *c_.timestamp);
      if (ts == nullptr) return Missing("timestamp", *c_.timestamp);
      if (!ts->IsNull() && !ts->IsInt64()) {
        return Status::InvalidArgument("EventRouter: timestamp field '" + c_.timestamp->text() +
                                       "' is not epoch milliseconds: " + Shown(*ts));
      }
      if (ts->IsInt64()) timestamp = ts->GetInt64();
    }
    if (!timestamp) {
      const rapidjson::Value* ts_ms = FindMember(*envelope, "ts_ms");
      if (ts_ms != nullptr && ts_ms->IsInt64()) timestamp = ts_ms->GetInt64();
    }
    for (const AdditionalField& f : c_.additional) {
      if (c_.error_on_missing && GetPath(*row, f.field) == nullptr) {
        return Missing("additional", f.field);
      }
    }

    auto& alloc = record.allocator();
    std::vector<RecordHeader>& headers = record.record().headers;
    if (!id->IsNull()) headers.push_back(RecordHeader{"id", HeaderBytes(*id)});
    rapidjson::Value key;
    if (const rapidjson::Value* k = GetPath(*row, c_.key); k != nullptr) key.CopyFrom(*k, alloc);
    const bool tombstone = c_.tombstone_on_empty && BlankPayload(*payload);
    rapidjson::Value event;
    event = *payload;  // moves out of the row
    if (c_.expand_json) Expand(event, alloc);
    rapidjson::Value wrapped(rapidjson::kObjectType);
    bool envelope_fields = false;
    for (const AdditionalField& f : c_.additional) {
      const rapidjson::Value* v = GetPath(*row, f.field);
      if (v == nullptr) continue;
      if (f.placement == Placement::kHeader) {
        if (!v->IsNull()) headers.push_back(RecordHeader{f.alias, HeaderBytes(*v)});
      } else {
        if (!envelope_fields) {
          wrapped.AddMember("payload", rapidjson::Value(), alloc);
          envelope_fields = true;
        }
        rapidjson::Value name(f.alias.data(), static_cast<rapidjson::SizeType>(f.alias.size()),
                              alloc);
        rapidjson::Value copy(*v, alloc);
        wrapped.AddMember(name, copy, alloc);
      }
    }
    if (envelope_fields) {
      wrapped.MemberBegin()->value = event;
      event = wrapped;
    }
    if (tombstone || event.IsNull()) {
      record.SetValueNull();
    } else {
      record.SetValue(std::move(event));
    }
    if (key.IsNull()) {
      record.SetKeyNull();
    } else {
      record.SetKey(std::move(key));
    }
    if (timestamp) record.record().timestamp_ms = *timestamp;
    record.set_topic(std::move(topic));
    return Outcome::kKeep;
  }

  std::vector<std::string> Topics() const override {
    if (auto constant = c_.route.ConstantResult()) return {*constant};
    return {};
  }

 private:
  Result<Outcome> UnexpectedUpdate(RecordContext& record) {
    const std::string key = record.record().key.value_or("null");
    switch (c_.on_update) {
      case OnUpdate::kWarn:
        log::Warn("transforms", "EventRouter: unexpected update of outbox row {} ignored", key);
        return Outcome::kDrop;
      case OnUpdate::kError:
        log::Error("transforms", "EventRouter: unexpected update of outbox row {} ignored", key);
        return Outcome::kDrop;
      case OnUpdate::kFatal:
        break;
    }
    return Status::InvalidArgument("EventRouter: unexpected update of outbox row " + key +
                                   " (table.op.invalid.behavior: fatal)");
  }

  static Status Missing(const char* what, const JsonPath& field) {
    return Status::InvalidArgument(std::string("EventRouter: the outbox row has no ") + what +
                                   " field '" + field.text() + "'");
  }

  // A payload column holding JSON text becomes that JSON; anything else stays as it is, as in
  // Debezium (which only tries text starting with '{' or '[').
  static void Expand(rapidjson::Value& payload, JsonAllocator& alloc) {
    if (!payload.IsString()) return;
    const std::string_view text = StringView(payload);
    if (text.empty() || (text.front() != '{' && text.front() != '[')) return;
    rapidjson::Document parsed(&alloc);
    parsed.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                      text.size());
    if (parsed.HasParseError()) return;
    payload = static_cast<rapidjson::Value&>(parsed);
  }

  EventRouterConfig c_;
};

Result<std::unique_ptr<Transform>> MakeEventRouter(const config::BoundConfig& bound) {
  EventRouterConfig c;
  RC_ASSIGN_OR_RETURN(
      c.id, ConfigPath(bound, "table.field.event.id", bound.GetString("table.field.event.id")));
  RC_ASSIGN_OR_RETURN(
      c.key, ConfigPath(bound, "table.field.event.key", bound.GetString("table.field.event.key")));
  RC_ASSIGN_OR_RETURN(c.payload, ConfigPath(bound, "table.field.event.payload",
                                            bound.GetString("table.field.event.payload")));
  if (const std::string ts = bound.GetString("table.field.event.timestamp"); !ts.empty()) {
    RC_ASSIGN_OR_RETURN(c.timestamp, ConfigPath(bound, "table.field.event.timestamp", ts));
  }
  RC_ASSIGN_OR_RETURN(c.route_by,
                      ConfigPath(bound, "route.by.field", bound.GetString("route.by.field")));
  auto route = RegexRewrite::Compile(bound.GetString("route.topic.regex"),
                                     bound.GetString("route.topic.replacement"));
  if (!route.ok()) {
    return route.status().WithContext(RegexRewrite::IsRegexError(route.status())
                                          ? "route.topic.regex"
                                          : "route.topic.replacement");
  }
  c.route = std::move(route).value();
  for (const std::string& item : ListItems(bound, "table.fields.additional.placement")) {
    // column:header|envelope[:alias]
    const std::string where = "table.fields.additional.placement: '" + item + "'";
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t colon; (colon = item.find(':', start)) != std::string::npos; start = colon + 1) {
      parts.push_back(item.substr(start, colon - start));
    }
    parts.push_back(item.substr(start));
    if (parts.size() < 2 || parts.size() > 3) {
      return Status::InvalidArgument(where +
                                     ": expected column:header or column:envelope, "
                                     "with an optional :alias");
    }
    AdditionalField f;
    RC_ASSIGN_OR_RETURN(f.field, ConfigPath(bound, "table.fields.additional.placement", parts[0]));
    if (parts[1] == "header") {
      f.placement = Placement::kHeader;
    } else if (parts[1] == "envelope") {
      f.placement = Placement::kEnvelope;
    } else if (parts[1] == "partition") {
      return Status::InvalidArgument(where +
                                     ": placement 'partition' is not supported (the "
                                     "topic's partitioner uses the key)");
    } else {
      return Status::InvalidArgument(where + ": unknown placement '" + parts[1] +
                                     "' (expected header or envelope)");
    }
    f.alias = parts.size() == 3 ? parts[2] : parts[0];
    if (f.alias.empty() || (f.placement == Placement::kEnvelope && f.alias == "payload")) {
      return Status::InvalidArgument(where +
                                     ": the alias must be a non-empty name other "
                                     "than 'payload'");
    }
    c.additional.push_back(std::move(f));
  }
  c.error_on_missing = bound.GetBool("table.fields.additional.error.on.missing");
  c.expand_json = bound.GetBool("table.expand.json.payload");
  c.tombstone_on_empty = bound.GetBool("route.tombstone.on.empty.payload");
  const std::string on_update = bound.GetString("table.op.invalid.behavior");
  c.on_update = on_update == "fatal"   ? OnUpdate::kFatal
                : on_update == "error" ? OnUpdate::kError
                                       : OnUpdate::kWarn;
  return std::unique_ptr<Transform>(std::make_unique<EventRouter>(std::move(c)));
}

}  // namespace

TransformDescriptor EventRouterDescriptor() {
  TransformDescriptor d;
  d.type = "EventRouter";
  d.description =
      "Debezium's outbox event router (io.debezium.transforms.outbox.EventRouter), with its "
      "config keys and defaults. Applied to the change events of an outbox table, each "
      "insert (op c, or r in a snapshot) becomes the event it carries: the value is the "
      "`table.field.event.payload` column (with `table.expand.json.payload`, a column holding "
      "JSON text becomes that JSON), the key is the `table.field.event.key` column (null when "
      "that is missing), the `table.field.event.id` column goes to header `id`, the timestamp "
      "is `table.field.event.timestamp` (epoch ms) or the event's ts_ms, and the topic is "
      "`route.topic.replacement` applied to the `route.by.field` column through "
      "`route.topic.regex` (write ${routedByValue} as $${routedByValue} in YAML, where ${NAME} "
      "is an environment variable). `table.fields.additional.placement` adds columns as "
      "headers (column:header[:alias]) or next to the payload (column:envelope[:alias], then "
      "the value is {\"payload\": ..., alias: ...}). As in Debezium: tombstones, deletes "
      "and other operations are dropped; an update is dropped with a warning or an error "
      "log, or fails the record (`table.op.invalid.behavior: fatal`); records that are not "
      "change events (heartbeats, schema changes) pass unchanged; with "
      "`route.tombstone.on.empty.payload` a null or blank payload becomes a tombstone. A row "
      "without the payload, id or route-by column fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: EventRouter\n"
      "    config:\n"
      "      route.by.field: aggregatetype              # Order -> topic outbox.event.Order\n"
      "      table.field.event.key: aggregateid\n"
      "      table.expand.json.payload: true\n"
      "      table.fields.additional.placement: \"type:header:eventType\"\n"
      "  - type: EventRouter                          # custom topic names\n"
      "    config:\n"
      "      route.topic.replacement: \"events.$${routedByValue}\"\n"
      "```";
  using config::Key;
  using config::ValueType;
  d.schema.Add(Key("table.field.event.id", ValueType::kString,
                   "Column with the event id, sent as header `id`.")
                   .Default("id"));
  d.schema.Add(Key("table.field.event.key", ValueType::kString,
                   "Column with the event key (the record key).")
                   .Default("aggregateid"));
  d.schema.Add(Key("table.field.event.payload", ValueType::kString,
                   "Column with the event payload (the record value).")
                   .Default("payload"));
  d.schema.Add(Key("table.field.event.timestamp", ValueType::kString,
                   "Column with the event time in epoch milliseconds; empty uses the change "
                   "event's ts_ms.")
                   .Default(""));
  d.schema.Add(Key("table.fields.additional.placement", ValueType::kStringList,
                   "More columns to send: column:header[:alias] or column:envelope[:alias] "
                   "(a list, or a comma-separated string)."));
  d.schema.Add(Key("table.fields.additional.error.on.missing", ValueType::kBool,
                   "Fail a record whose row lacks one of the additional columns (else skip "
                   "that column).")
                   .Default("true"));
  d.schema.Add(Key("table.expand.json.payload", ValueType::kBool,
                   "Turn a payload column holding JSON text into JSON.")
                   .Default("false"));
  d.schema.Add(Key("table.op.invalid.behavior", ValueType::kString,
                   "What an update of the outbox table does: warn or error (logged and "
                   "dropped), fatal (the record fails).")
                   .OneOf({"warn", "error", "fatal"})
                   .Default("warn"));
  d.schema.Add(Key("route.by.field", ValueType::kString, "Column whose value picks the topic.")
                   .Default("aggregatetype"));
  d.schema.Add(Key("route.topic.regex", ValueType::kString,
                   "RE2 pattern applied to the route-by value (groups feed the replacement).")
                   .Default("(?<routedByValue>.*)"));
  d.schema.Add(Key("route.topic.replacement", ValueType::kString,
                   "The topic; ${routedByValue} or $1 insert groups of route.topic.regex.")
                   .Default("outbox.event.${routedByValue}"));
  d.schema.Add(Key("route.tombstone.on.empty.payload", ValueType::kBool,
                   "A null or blank payload becomes a tombstone.")
                   .Default("false"));
  d.make = MakeEventRouter;
  return d;
}

void RegisterEventRouter(TransformRegistry& registry) { registry.Add(EventRouterDescriptor()); }

}  // namespace rivven::transforms
