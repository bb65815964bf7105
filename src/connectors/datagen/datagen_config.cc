#include "connectors/datagen/datagen_config.h"

namespace rivven::datagen {

using config::Key;
using config::ValueType;

const char* PatternName(Pattern p) {
  switch (p) {
    case Pattern::kOrders: return "orders";
    case Pattern::kUsers: return "users";
    case Pattern::kPageviews: return "pageviews";
  }
  return "orders";
}

std::optional<Pattern> ParsePattern(std::string_view name) {
  if (name == "orders") return Pattern::kOrders;
  if (name == "users") return Pattern::kUsers;
  if (name == "pageviews") return Pattern::kPageviews;
  return std::nullopt;
}

config::Schema DatagenSchema() {
  config::Schema s;
  s.Add(Key("pattern", ValueType::kString,
            "Data pattern: orders (e-commerce orders), users (user profiles) or pageviews "
            "(web analytics)")
            .Required()
            .OneOf({"orders", "users", "pageviews"}));
  s.Add(Key("events_per_second", ValueType::kInt,
            "Events generated per second; 0 = as fast as the pipeline accepts them")
            .Default("1")
            .Min(0)
            .Max(1e9));
  s.Add(Key("max_events", ValueType::kInt,
            "Stop after this many events in total, across restarts (0 = unlimited)")
            .Default("0")
            .Min(0));
  s.Add(Key("stream_name", ValueType::kString,
            "Stream identifier: the `stream` header of every record, the stream listed by "
            "discover, and source.name in CDC mode")
            .Default("datagen"));
  s.Add(Key("seed", ValueType::kInt,
            "Seed: the same seed produces byte-identical values. Default: random, chosen on the "
            "first start and kept in the checkpoint so a restart continues the same sequence"));
  s.Add(Key("cdc_mode", ValueType::kBool,
            "Generate Debezium change events (create/update/delete over a consistent key set) "
            "instead of plain rows; needs a keyed pattern (orders or users)")
            .Default("false"));
  return s;
}

Result<DatagenConfig> DatagenConfigFromBound(const config::BoundConfig& bound) {
  DatagenConfig c;
  const std::string pattern = bound.GetString("pattern");
  const auto p = ParsePattern(pattern);
  if (!p) {
    return Status::InvalidArgument(bound.path() + ".pattern: unknown pattern '" + pattern +
                                   "' (expected orders, users or pageviews)");
  }
  c.pattern = *p;
  c.events_per_second = bound.GetInt("events_per_second");
  c.max_events = bound.GetInt("max_events");
  c.stream_name = bound.GetString("stream_name");
  c.seed = bound.GetOptionalInt("seed");
  c.cdc_mode = bound.GetBool("cdc_mode");
  if (c.cdc_mode && c.pattern == Pattern::kPageviews) {
    return Status::InvalidArgument(bound.path() +
                                   ".cdc_mode: pageviews have no primary key; use cdc_mode with "
                                   "orders or users");
  }
  return c;
}

void ValidateDatagenConfig(const config::BoundConfig& bound, config::Diagnostics* diags) {
  // Runs even when binding found errors, so a missing required key is possible here.
  if (!bound.Has("pattern") || !bound.Has("cdc_mode")) return;
  if (!bound.GetBool("cdc_mode") || bound.GetString("pattern") != "pageviews") return;
  diags->Add(bound.path() + ".cdc_mode", bound.MarkOf("cdc_mode"),
             "cdc_mode needs a pattern with a primary key (orders or users); pageviews are "
             "keyless");
}

}  // namespace rivven::datagen
