#pragma once

// Included only by transforms' .cc files: it brings in RapidJSON.
#include <string>

#include <rapidjson/document.h>

namespace rivven::transforms {

/// Appends the compact JSON text of `v` to `out`: the same bytes RapidJSON's Writer produces
/// (shortest round-trip doubles, "\u00XX" for control characters, UTF-8 passed through), with
/// two differences that matter on the record path: it never recurses (a DOM nested a million
/// levels deep cannot overflow the stack) and NaN or infinity, which JSON cannot express, are
/// written as null (as JSON.stringify does) instead of failing the whole record.
///
/// Stateless apart from a per-thread work stack; safe to call from any thread.
void AppendJson(const rapidjson::Value& v, std::string& out);

}  // namespace rivven::transforms
