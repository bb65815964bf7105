#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "config/schema.h"

namespace rivven {

/// When a CDC source reads the tables' existing rows (Debezium's snapshot.mode).
enum class SnapshotMode {
  kInitial,      ///< once, when there is no checkpoint yet; then stream
  kNever,        ///< stream only
  kInitialOnly,  ///< snapshot, then finish (bounded)
  kWhenNeeded,   ///< as initial, and again when the checkpoint's log is gone
  kAlways,       ///< at every start, then stream
};

const char* SnapshotModeName(SnapshotMode mode);
/// "initial", "never", ...; InvalidArgument naming the value otherwise.
Result<SnapshotMode> SnapshotModeFromName(const std::string& name);

/// The `snapshot:` key of a CDC source ({mode, chunk_rows}). `log` names what streaming reads
/// ("WAL", "binlog"); `chunk_read` says how one chunk is read ("one COPY per chunk").
config::KeySpec SnapshotKey(std::string_view log, std::string_view chunk_read);

}  // namespace rivven
