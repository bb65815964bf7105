#pragma once

// Shared by the standard transforms' .cc files only: it brings in RapidJSON.
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "base/status.h"
#include "config/schema.h"
#include "transforms/json_path.h"

namespace rivven::transforms {

class RecordContext;

/// The part of a record a transform works on: Kafka Connect's `$Value` / `$Key` variants, chosen
/// here with `side: value|key`.
enum class Side { kValue, kKey };

/// The `side` key (value or key, default value), declared once for every transform that has it.
config::KeySpec SideKey();
Side SideOf(const config::BoundConfig& config);
const char* SideName(Side side);

/// The JSON of `side`, parsed on first use; nullptr when it is null (a tombstone value, no key).
/// Bytes that are not JSON are an error naming the side and the parse error.
Result<rapidjson::Value*> SideJson(RecordContext& record, Side side);
/// Records that the DOM returned by SideJson was changed in place.
void MarkSideChanged(RecordContext& record, Side side);
/// Replaces the side with `v` (allocated with record.allocator()); a JSON null makes the side
/// null (a tombstone for the value), as Kafka Connect's null.
void ReplaceSide(RecordContext& record, Side side, rapidjson::Value&& v);

/// The items of a list key, each also split at commas and trimmed, so the Kafka Connect spelling
/// `fields: "a,b"` means the same as `fields: [a, b]`. Empty items are dropped.
std::vector<std::string> ListItems(const config::BoundConfig& config, std::string_view key);

/// A dotted field path from config (`a.b.c`, `a\.b` for a dot inside a name), or an error
/// naming the config key.
Result<JsonPath> ConfigPath(const config::BoundConfig& config, std::string_view key,
                            std::string_view text);

/// OK when `topic` is a valid topic name (Kafka's rule: 1-249 of [a-zA-Z0-9._-], not "." or
/// ".."), else an error "invalid topic name '...': ...". Routers check what they compute, so a
/// bad name fails the one record instead of the producer's batch.
Status CheckTopicName(std::string_view topic);

/// Compact JSON text of `v`.
std::string JsonText(const rapidjson::Value& v);
/// `v` as it appears in an error message: its JSON text, cut to at most 64 bytes.
std::string Shown(const rapidjson::Value& v);
/// Header bytes made from JSON: a string's own UTF-8 text, anything else its compact JSON.
std::string HeaderBytes(const rapidjson::Value& v);

}  // namespace rivven::transforms
