#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "connectors/file/file_sink_config.h"
#include "record/record.h"

namespace rivven::file {

/// Turns records into the bytes of one output file in one format. One encoder per file, because
/// a CSV header and a JSON array belong to a file. Owned by its OutputFile; called from the sink
/// thread. Encoders only build bytes; they never touch the file.
///
/// Every format keeps one record per line ending in "\n" (CSV: a record may span lines inside
/// quotes), so that a file cut at a record boundary is a valid file of its format; recovery
/// relies on it.
class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;

  static std::unique_ptr<RecordEncoder> Create(FileFormat format);

  /// Appends the record (after the file's header, for its first record). InvalidArgument with a
  /// reason, and nothing appended, for a record this format cannot hold.
  virtual Status Append(const ConsumedRecord& record, std::string& out) = 0;
  /// Appends what a complete file ends with (json: the closing "]").
  virtual void AppendTrailer(std::string& out) {}
};

/// The bytes a json file ends with once complete (recovery looks for them).
inline constexpr std::string_view kJsonArrayEnd = "]\n";

}  // namespace rivven::file
