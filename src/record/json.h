#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/types.h"

/// Small JSON helpers shared by sources and sinks. Parsing is strict RFC 8259 (any value at the
/// top level, valid UTF-8, no trailing bytes, no NaN/Infinity); numbers are copied digit for digit
/// when a text is re-formatted, never rounded through a double (numbers whose magnitude exceeds a
/// double's range, like 1e400, are rejected: a limit of the parser that RFC 8259 §9 permits). The JSON library stays inside
/// json.cc so this header is cheap to include. All functions are thread-safe (no shared state).
namespace rivven::json {

/// True when `text` is exactly one JSON value (surrounding whitespace allowed).
bool IsJson(std::string_view text);

/// `text` re-indented with `indent` spaces per level, one member per line, keys and values kept
/// byte-exact apart from whitespace and string escaping. InvalidArgument with the parser's
/// message and byte offset when `text` is not JSON.
Result<std::string> PrettyJson(std::string_view text, int indent = 2);

/// `text` with all insignificant whitespace removed (guaranteed to contain no line break).
Result<std::string> CompactJson(std::string_view text);

/// Appends `bytes` as a JSON value on a single line: copied as is when they are JSON without a
/// line break, compacted when they are JSON spread over lines, written as a JSON string otherwise,
/// and `null` when absent. Used by sinks that embed record keys/values in a document or a line.
void AppendJsonOrString(std::string& out, const std::optional<std::string>& bytes);

/// Appends a signed decimal integer.
void AppendInt(std::string& out, int64_t v);

/// Appends `hundredths / 100` as a JSON number with exactly two decimals ("-12.05", "3.00").
void AppendFixed2(std::string& out, int64_t hundredths);

/// Appends `ms` as a quoted ISO-8601 UTC timestamp with milliseconds: "2024-01-01T00:00:00.000Z".
/// Proleptic Gregorian calendar; valid for years 0000-9999.
void AppendIsoTimestamp(std::string& out, TimestampMs ms);

}  // namespace rivven::json
