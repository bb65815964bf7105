#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "connectors/connector.h"

/// The Airbyte protocol as a source speaks it on stdout: one JSON AirbyteMessage per line
/// (https://docs.airbyte.com/understanding-airbyte/airbyte-protocol). Parsing, the configured
/// catalog we send to `read`, and the state we keep between runs. Pure functions and values:
/// no processes, no files, no threads.
namespace rivven::airbyte {

enum class MessageType {
  kRecord,
  kState,
  kLog,
  kTrace,
  kSpec,
  kConnectionStatus,
  kCatalog,
  kUnknown,  ///< CONTROL and any type this reader does not know: ignored
};

/// A stream's identity: Airbyte names a stream by (namespace, name).
struct StreamId {
  std::string name;
  std::string ns;  ///< "" when the source gives none
  auto operator<=>(const StreamId&) const = default;
};

/// Primary keys of the configured streams: each a list of field paths (["id"], ["a","b"]).
using PrimaryKeys = std::map<StreamId, std::vector<std::vector<std::string>>>;

/// One parsed AirbyteMessage; only the fields of its type are set. Unknown fields are ignored.
struct Message {
  MessageType type = MessageType::kUnknown;
  std::string type_name;  ///< as written ("RECORD", "CONTROL", ...)
  // RECORD
  StreamId stream;
  std::string data;                ///< the record's `data`, compact JSON
  std::optional<std::string> key;  ///< the primary key fields as a JSON object, when declared
  TimestampMs emitted_at = 0;
  // STATE: the `state` object, compact JSON (see StateStore::Apply)
  std::string state;
  // LOG (level FATAL, ERROR, WARN, INFO, DEBUG, TRACE) and TRACE (message of an ERROR)
  std::string level;
  std::string message;
  // TRACE: its type (ERROR, ESTIMATE, STREAM_STATUS, ...) and, for ERROR, failure_type
  // (system_error, config_error, transient_error) and internal_message
  std::string trace_type;
  std::string failure_type;
  std::string internal_message;
  // CONNECTION_STATUS: SUCCEEDED or FAILED (message above)
  std::string status;
  // SPEC, CATALOG: the `spec` or `catalog` object, compact JSON
  std::string payload;
};

/// Parses one stdout line. InvalidArgument when it is not a JSON object with a string `type`
/// or when a known type lacks its required part (a RECORD without stream or data, ...).
/// `keys` (may be null) gives the primary keys used to fill Message::key of records.
Result<Message> ParseMessage(std::string_view line, const PrimaryKeys* keys = nullptr);

/// The TRACE ERROR of `message` as a Status: retriable when failure_type is transient_error.
Status TraceError(const Message& message);

/// How the user selects a stream (`streams:`); sync_mode "" picks as for an unselected stream.
struct StreamSelection {
  std::string name;
  std::string sync_mode;                  ///< "", "incremental" or "full_refresh"
  std::vector<std::string> cursor_field;  ///< incremental without a source-defined cursor
};

/// The ConfiguredAirbyteCatalog for `read` and what we need to know of it.
struct ConfiguredCatalog {
  std::string
      json;  ///< {"streams":[{"stream":..,"sync_mode":..,"destination_sync_mode":"append",..}]}
  PrimaryKeys primary_keys;
  std::vector<std::pair<StreamId, std::string>> modes;  ///< each stream's sync_mode, for logs
};

/// Builds the configured catalog from a discovered catalog (the CATALOG message's payload).
/// With no selection, every stream: incremental when it supports it and has a source-defined
/// cursor, else full_refresh. With a selection, only the named streams, each with its
/// sync_mode (checked against supported_sync_modes). destination_sync_mode is always append.
Result<ConfiguredCatalog> BuildConfiguredCatalog(std::string_view catalog,
                                                 const std::vector<StreamSelection>& selection);

/// The streams of a discovered catalog with their JSON schemas (for `discover`).
Result<std::vector<StreamDescription>> DescribeStreams(std::string_view catalog);

/// The source's state as its STATE messages left it: per-stream states (by stream), a global
/// state, or legacy `data`. It is our source position: ToCheckpoint() is stored after the
/// records before the STATE are durable, and FileText() is the `--state` file of the next
/// `read`. A value; owned by the source.
class StateStore {
 public:
  /// From a checkpoint written by ToCheckpoint(); Corruption when it is not one.
  static Result<StateStore> FromCheckpoint(std::string_view checkpoint);
  /// Applies the `state` object of one STATE message: type STREAM replaces that stream's
  /// state, GLOBAL the global one, LEGACY (or no type) with `data` the legacy state.
  /// InvalidArgument (and no change) when it carries none of these.
  Status Apply(std::string_view state);
  bool empty() const { return streams_.empty() && !global_ && !legacy_; }
  /// {"states":[AirbyteStateMessage...],"legacy":data} (absent parts left out).
  std::string ToCheckpoint() const;
  /// The `--state` file: the array of typed state messages when there are any, else the
  /// legacy data; nullopt when empty.
  std::optional<std::string> FileText() const;

 private:
  std::map<StreamId, std::string> streams_;  ///< {"type":"STREAM","stream":{...}}
  std::optional<std::string> global_;        ///< {"type":"GLOBAL","global":{...}}
  std::optional<std::string> legacy_;        ///< the data object
};

}  // namespace rivven::airbyte
