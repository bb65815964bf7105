#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/fwd.h>

#include "base/status.h"

namespace rivven {

/// How far a CDC source's snapshot (initial or incremental) has come, kept in its checkpoint:
/// tables before `table` are done, and in that table the rows up to primary key `after` (text
/// values, null for SQL NULL) are delivered. JSON:
///   {"tables":["public.a","public.b"],"table":1,"after":["42"],"rows":5300}
struct SnapshotProgress {
  std::vector<std::string> tables;  ///< qualified names, in snapshot order
  size_t table = 0;
  std::optional<std::vector<std::optional<std::string>>> after;  ///< last key read
  uint64_t rows = 0;  ///< rows delivered so far (for progress)

  /// Appends the JSON object.
  void AppendJson(std::string& out) const;
  /// Reads the object `value` of the checkpoint `json` into `*out` (filled in place: moving the
  /// nested optionals around upsets GCC's flow analysis); errors are Corruption naming `source`
  /// ("postgres-cdc") and quoting `json`.
  static Status FromJson(const rapidjson::Value& value, const std::string& json,
                         const std::string& source, SnapshotProgress* out);
};

}  // namespace rivven
