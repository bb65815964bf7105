#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/record.h"

namespace rivven::wasm {

/// Records as guests see them (docs/wasm.md): a JSON object per record,
///   {"topic":"t","partition":0,"offset":7,"timestamp":1700000000000,
///    "key":<JSON>,"value":<JSON>,"headers":{"name":"value"}}
/// key and value are JSON: bytes that are JSON are embedded as they are, other bytes as a JSON
/// string, a missing key or value as null. partition and offset only for sinks.
/// All functions are stateless and thread-safe.

/// Appends `record` as one JSON object; `partition`/`offset` < 0 are left out.
void AppendRecordJson(std::string& out, const Record& record, std::string_view topic,
                      int64_t partition = -1, int64_t offset = -1);

/// rivven_write's input: a JSON array of the records.
std::string ConsumedRecordsJson(const std::vector<ConsumedRecord>& records);

/// Parses a JSON array of records a guest returned. A record's key and value become compact
/// JSON text (null or absent: no key / a tombstone), "headers" must map names to strings,
/// "timestamp" (ms) defaults to `default_timestamp_ms`, "topic" to empty (the connector's).
/// `what` names the document in errors ("rivven_poll result").
Result<std::vector<Record>> ParseRecordArray(std::string_view json, std::string_view what,
                                             int64_t default_timestamp_ms);

/// rivven_poll's result: {"records":[...],"position":<JSON>,"finished":bool}; every member is
/// optional.
struct PollResult {
  std::vector<Record> records;
  std::string position;  ///< compact JSON text; empty when the guest gave none
  bool finished = false;
};
Result<PollResult> ParsePollResult(std::string_view json, int64_t default_timestamp_ms);

}  // namespace rivven::wasm
