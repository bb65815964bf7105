#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rivven::config {

/// How YAML scalar text is read as a typed value. One place, so binding, defaults and the JSON
/// Schema generator agree on what "10", "0x1F", "1.5e3" and "yes" mean.

/// Decimal (optional sign), 0x hex or 0o octal; nullopt when not an integer or out of int64.
std::optional<int64_t> ParseYamlInt(std::string_view text);
/// A finite number (integers included); nullopt otherwise.
std::optional<double> ParseYamlDouble(std::string_view text);
/// true/false/yes/no/on/off, any case; nullopt otherwise.
std::optional<bool> ParseYamlBool(std::string_view text);
/// "a, b,c" -> {"a","b","c"}; "[a, b]" the same; "" and "[]" -> {}. Items are trimmed and
/// empty items dropped.
std::vector<std::string> SplitCommaList(std::string_view text);
/// A number as JSON/Markdown shows it: integers without a fraction, others shortest round-trip.
std::string FormatNumber(double value);

}  // namespace rivven::config
