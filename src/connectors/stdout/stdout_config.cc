#include "connectors/stdout/stdout_config.h"

namespace rivven::console {

using config::Key;
using config::ValueType;

config::Schema StdoutSchema() {
  config::Schema s;
  s.Add(Key("format", ValueType::kString,
            "json: one JSON document per record (values that are not JSON become JSON strings); "
            "text: `topic[partition]@offset key=<key> <value>` per line")
            .Default("json")
            .OneOf({"json", "text"}));
  s.Add(Key("pretty", ValueType::kBool, "json format: indent each document over several lines")
            .Default("false"));
  s.Add(Key("include_metadata", ValueType::kBool,
            "json format: write {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\","
            "\"value\"} instead of the bare value")
            .Default("false"));
  return s;
}

Result<StdoutConfig> StdoutConfigFromBound(const config::BoundConfig& bound) {
  StdoutConfig c;
  const std::string format = bound.GetString("format");
  if (format == "json") {
    c.format = OutputFormat::kJson;
  } else if (format == "text") {
    c.format = OutputFormat::kText;
  } else {
    return Status::InvalidArgument(bound.path() + ".format: unknown format '" + format +
                                   "' (expected json or text)");
  }
  c.pretty = bound.GetBool("pretty");
  c.include_metadata = bound.GetBool("include_metadata");
  return c;
}

}  // namespace rivven::console
