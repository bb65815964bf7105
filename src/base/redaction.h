#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// The process-wide backstop that keeps resolved secret values out of every output: the secret
/// resolver registers each value it resolves, and the log writer, the top-level error printers,
/// the /metrics and /health server and the terminate handler pass their text through Scrub.
/// The schema's per-key `secret` flag stays the first line of defence; this catches a value that
/// travels somewhere else (an error message of a server that echoes a password, a debug line).
///
/// Thread-safe: any thread may register and scrub at any time.
namespace rivven::redaction {

/// What a registered value is replaced with.
inline constexpr std::string_view kMask = "***";
/// Values shorter than this are not registered: scrubbing every "1" or "ab" would mangle every
/// line. Such values are still masked where the schema marks their key secret.
inline constexpr size_t kMinLength = 4;

/// Registers `value` and the forms it takes when embedded in JSON strings and URLs (escaped,
/// percent-encoded), so later Scrub calls replace each of them by `***`.
void RegisterSecret(std::string_view value);

/// `text` with every registered value replaced by `***` (longest values first, so a value that
/// contains another is masked whole). Returns `text` unchanged when nothing is registered.
std::string Scrub(std::string_view text);

/// Whether any value is registered (a cheap check before scrubbing a hot path).
bool Active();

/// Forgets every registered value. Tests only.
void ResetForTesting();

}  // namespace rivven::redaction
