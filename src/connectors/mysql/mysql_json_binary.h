#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

/// MySQL's binary JSON (the storage and binlog format of JSON columns, sql/json_binary.h) →
/// JSON text. MariaDB stores JSON as text and never needs this. Pure; any thread.
namespace rivven::mysql {

/// Appends the JSON text of one binary JSON document, compact (`{"a":[1,2.5,"x"]}`, keys in
/// the stored order, which is MySQL's: by length, then bytes). Doubles are written the
/// shortest way that reads back exactly; opaque values as MySQL prints them in JSON
/// (DECIMAL as a number, DATE/TIME/DATETIME/TIMESTAMP as strings with microseconds, others as
/// "base64:typeN:..."). An empty document (0 bytes, which MySQL writes for some NULL-like
/// values) is `null`. Malformed input is kCorruption naming the byte offset; on error `out`
/// holds a partial document the caller should drop.
Status AppendJsonBinaryAsText(std::string& out, std::string_view bytes);

}  // namespace rivven::mysql
