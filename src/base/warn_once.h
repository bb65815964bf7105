#pragma once

#include <string>
#include <string_view>

namespace rivven::log {

/// Logs `message` as a warning under `component` the first time it is asked to in this
/// process, and returns true then; later calls with the same message do nothing and return
/// false. For settings that weaken security (TLS verification off), whose clients are made
/// again by every sender, task and restart. Thread-safe.
bool WarnOnce(std::string_view component, const std::string& message);

}  // namespace rivven::log
