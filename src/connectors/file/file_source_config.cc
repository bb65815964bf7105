#include "connectors/file/file_source_config.h"

namespace rivven::file {
namespace {

using config::Key;
using config::ValueType;

// Why `delimiter` cannot separate CSV fields, or empty when it can.
std::string DelimiterProblem(const std::string& d) {
  if (d.size() != 1) return "delimiter must be exactly one character (use \"\\t\" for tabs)";
  if (d[0] == '"' || d[0] == '\n' || d[0] == '\r') {
    return "delimiter cannot be a quote or a line break";
  }
  return {};
}

}  // namespace

config::Schema FileSourceSchema() {
  config::Schema s;
  s.Add(Key("path", ValueType::kString,
            "A file, or a directory whose regular files are read one after the other in name "
            "order (not recursive; hidden files and `*.tmp` are skipped)")
            .Required());
  s.Add(Key("format", ValueType::kString,
            "File format. json: JSON Lines (one value per line), or one top-level JSON array "
            "whose elements are the records (detected per file by its first byte); csv: RFC "
            "4180 with a header row, each row becoming a JSON object; parquet: each row becomes "
            "a JSON object (flat schemas; files up to 1 GiB, read whole)")
            .Default("json")
            .OneOf({"json", "csv", "parquet"}));
  s.Add(Key("watch", ValueType::kBool,
            "Keep following the files: appended lines, rotated and new files are read as they "
            "come (unbounded). false: read what is there once, then finish")
            .Default("false"));
  s.Add(Key("poll_interval_secs", ValueType::kInt,
            "When watching, how often the directory is listed for new, rotated and grown files "
            "(changes are also noticed at once through inotify where available)")
            .Default("30")
            .Min(1)
            .Max(86400));
  s.Add(Key("include", ValueType::kString,
            "Glob on file names when path is a directory (e.g. `*.csv`); matches every file by "
            "default")
            .Default("*"));
  s.Add(Key("csv", ValueType::kObject, "CSV options (format: csv only)")
            .Child(Key("delimiter", ValueType::kString,
                       "Field separator, one character; \"\\t\" for tab-separated files")
                       .Default(","))
            .Child(Key("header", ValueType::kBool,
                       "The first row names the fields; false: fields are named column_1, "
                       "column_2, ... by position")
                       .Default("true"))
            .Child(Key("infer_types", ValueType::kBool,
                       "Integers and decimals become JSON numbers, true/false booleans and "
                       "unquoted empty fields null; false: every field is a JSON string")
                       .Default("true")));
  return s;
}

Result<FileSourceConfig> FileSourceConfigFromBound(const config::BoundConfig& bound) {
  FileSourceConfig c;
  c.path = bound.GetString("path");
  if (c.path.empty()) return Status::InvalidArgument(bound.path() + ".path: must not be empty");
  const std::string format = bound.GetString("format");
  if (format == "json") {
    c.format = SourceFormat::kJson;
  } else if (format == "csv") {
    c.format = SourceFormat::kCsv;
  } else if (format == "parquet") {
    c.format = SourceFormat::kParquet;
  } else {
    return Status::InvalidArgument(bound.path() + ".format: unsupported format '" + format +
                                   "' (expected json, csv or parquet)");
  }
  c.watch = bound.GetBool("watch");
  c.poll_interval = std::chrono::seconds(bound.GetInt("poll_interval_secs"));
  c.include = bound.GetString("include");
  if (c.include.empty()) c.include = "*";
  const config::BoundConfig csv = bound.GetObject("csv");
  const std::string delimiter = csv.GetString("delimiter");
  if (std::string problem = DelimiterProblem(delimiter); !problem.empty()) {
    return Status::InvalidArgument(csv.path() + ".delimiter: " + problem);
  }
  c.csv.delimiter = delimiter[0];
  c.csv.header = csv.GetBool("header");
  c.csv.infer_types = csv.GetBool("infer_types");
  return c;
}

void ValidateFileSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags) {
  // Runs even when binding found errors, so any key may be missing here.
  if (bound.IsSet("csv") && bound.Has("format") && bound.GetString("format") != "csv") {
    diags->Add(
        bound.path() + ".csv", bound.MarkOf("csv"),
        "csv options apply only to format: csv (format is '" + bound.GetString("format") + "')");
  }
  if (bound.Has("csv")) {
    const config::BoundConfig csv = bound.GetObject("csv");
    if (csv.Has("delimiter")) {
      if (std::string problem = DelimiterProblem(csv.GetString("delimiter")); !problem.empty()) {
        diags->Add(csv.path() + ".delimiter", csv.MarkOf("delimiter"), problem);
      }
    }
  }
}

}  // namespace rivven::file
