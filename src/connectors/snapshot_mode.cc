#include "connectors/snapshot_mode.h"

namespace rivven {

const char* SnapshotModeName(SnapshotMode mode) {
  switch (mode) {
    case SnapshotMode::kInitial: return "initial";
    case SnapshotMode::kNever: return "never";
    case SnapshotMode::kInitialOnly: return "initial_only";
    case SnapshotMode::kWhenNeeded: return "when_needed";
    case SnapshotMode::kAlways: return "always";
  }
  return "initial";
}

Result<SnapshotMode> SnapshotModeFromName(const std::string& name) {
  if (name == "initial") return SnapshotMode::kInitial;
  if (name == "never") return SnapshotMode::kNever;
  if (name == "initial_only") return SnapshotMode::kInitialOnly;
  if (name == "when_needed") return SnapshotMode::kWhenNeeded;
  if (name == "always") return SnapshotMode::kAlways;
  return Status::InvalidArgument("unknown snapshot mode '" + name + "'");
}

config::KeySpec SnapshotKey(std::string_view log, std::string_view chunk_read) {
  using config::Key;
  using config::ValueType;
  return Key("snapshot", ValueType::kObject, "Reading the rows that exist before streaming")
      .Child(Key("mode", ValueType::kString,
                 "initial: snapshot when there is no checkpoint, then stream; never: stream "
                 "only; initial_only: snapshot, then finish; when_needed: as initial, and "
                 "snapshot again when the checkpoint's " +
                     std::string(log) +
                     " is no longer on the server; always: snapshot at every start, then stream")
                 .Default("initial")
                 .OneOf({"initial", "never", "initial_only", "when_needed", "always"}))
      .Child(Key("chunk_rows", ValueType::kInt,
                 "Rows read per chunk (" + std::string(chunk_read) +
                     ", by primary key); a restart resumes after the last chunk delivered")
                 .Default("10000")
                 .Min(1)
                 .Max(10000000));
}

}  // namespace rivven
