#pragma once

#include <chrono>
#include <string>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::file {

enum class SourceFormat { kJson, kCsv, kParquet };

/// CSV dialect and typing of the file source (`csv:` block).
struct CsvSourceOptions {
  char delimiter = ',';
  bool header = true;       ///< the first record names the fields
  bool infer_types = true;  ///< numbers/booleans/empty -> null; false: all strings
};

/// The typed `config:` block of the file source. Immutable after construction.
struct FileSourceConfig {
  std::string path;  ///< a file, or a directory whose files are read in name order
  SourceFormat format = SourceFormat::kJson;
  bool watch = false;  ///< keep following the files (unbounded) instead of one pass
  std::chrono::seconds poll_interval{30};
  std::string include = "*";  ///< glob on file names inside a directory
  CsvSourceOptions csv;
};

/// The single declaration of the file source's keys.
config::Schema FileSourceSchema();

/// Reads a config bound against FileSourceSchema().
Result<FileSourceConfig> FileSourceConfigFromBound(const config::BoundConfig& bound);

/// Cross-key checks: `csv:` only goes with `format: csv`; the delimiter is one byte other than
/// a quote or a line break.
void ValidateFileSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags);

}  // namespace rivven::file
