#pragma once

#include <string>
#include <string_view>

namespace rivven {

/// Appends `s` to `out` as a quoted JSON string (RFC 8259 escaping; bytes that are not valid
/// UTF-8 are replaced by U+FFFD so the output is always valid JSON).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace rivven
