#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "connectors/connector.h"
#include "connectors/file/file_source_config.h"

namespace rivven::file {

/// Records sampled per stream to infer its schema.
inline constexpr size_t kDiscoverSampleRecords = 1000;
/// Files of a directory sampled for its schema.
inline constexpr size_t kDiscoverSampleFiles = 10;

/// `discover`: one stream for a file (named after it) or for a directory (named after it; its
/// files all go to the one topic), with a JSON Schema (draft 2020-12) inferred from the first
/// records: the top-level properties of JSON objects (CSV: the header's fields) in the order
/// first seen, each typed by the union of the JSON types observed (integer, number, string,
/// boolean, object, array, null). Bad lines are skipped here, never reported.
Result<std::vector<StreamDescription>> DiscoverFileStreams(const FileSourceConfig& config);

/// `check`: the path exists and is a readable file or directory.
Status CheckFileSource(const FileSourceConfig& config);

}  // namespace rivven::file
